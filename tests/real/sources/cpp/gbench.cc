// Google Benchmark programme for the real-harness tests (tests/real/): the work of every
// benchmark is scaled by REALBENCH_SCALE (1.0 unless set).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <numeric>
#include <vector>

static double scale() {
    const char* s = std::getenv("REALBENCH_SCALE");
    return s ? std::atof(s) : 1.0;
}

static std::uint64_t scaled(std::uint64_t n) { return static_cast<std::uint64_t>(n * scale() + 0.5); }

static void BM_hash_loop(benchmark::State& state) {
    const std::uint64_t rounds = scaled(4000);
    for (auto _ : state) {
        std::uint64_t h = 0xcbf29ce484222325ULL;
        for (std::uint64_t i = 0; i < rounds; ++i) {
            h ^= i;
            h *= 0x100000001b3ULL;
        }
        benchmark::DoNotOptimize(h);
    }
}
BENCHMARK(BM_hash_loop);

// Processes 4096 bytes per iteration whatever the scale: bytes_per_second falls as it grows.
static void BM_checksum(benchmark::State& state) {
    std::vector<unsigned char> data(scaled(4096), 7);
    for (auto _ : state) {
        std::uint64_t acc = 0;
        for (unsigned char b : data) acc = acc * 31 + b;
        benchmark::DoNotOptimize(acc);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * 4096);
}
BENCHMARK(BM_checksum);

// A rate counter (kIsRate): hashes per second, higher is better.
static void BM_hash_rate(benchmark::State& state) {
    const std::uint64_t rounds = scaled(2000);
    for (auto _ : state) {
        std::uint64_t h = 1;
        for (std::uint64_t i = 0; i < rounds; ++i) h = h * 6364136223846793005ULL + i;
        benchmark::DoNotOptimize(h);
    }
    state.counters["rate"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                benchmark::Counter::kIsRate);
}
BENCHMARK(BM_hash_rate);

BENCHMARK_MAIN();
