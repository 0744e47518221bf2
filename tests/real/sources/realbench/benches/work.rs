use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use std::time::Duration;

use realbench::{checksum, hash_loop, scaled, sort_reversed, HASH_LOOP_ROUNDS};

fn benches(c: &mut Criterion) {
    let rounds = scaled(HASH_LOOP_ROUNDS);
    c.bench_function("hash_loop", |b| b.iter(|| hash_loop(black_box(rounds))));

    let times = scaled(4);
    c.bench_function("sort_reversed", |b| b.iter(|| sort_reversed(black_box(times))));

    let data = vec![7u8; scaled(4096) as usize];
    let mut group = c.benchmark_group("bytes");
    group.throughput(Throughput::Bytes(4096));
    group.bench_function("checksum", |b| b.iter(|| checksum(black_box(&data))));
    group.finish();
}

criterion_group! {
    name = work;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(50))
        .measurement_time(Duration::from_millis(250));
    targets = benches
}
criterion_main!(work);
