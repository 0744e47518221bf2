"""Baselines: the stored format (:mod:`.store`) and where one comes from (:mod:`.sources`)."""
