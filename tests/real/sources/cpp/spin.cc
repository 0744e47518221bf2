// A command for hyperfine and GNU time in the real-harness tests (tests/real/): spins for
// ARGV[1] million loop rounds and touches ARGV[2] MiB of memory, both scaled by
// REALBENCH_SCALE (1.0 unless set).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: spin MILLION_ROUNDS MIB\n");
        return 2;
    }
    const char* s = std::getenv("REALBENCH_SCALE");
    const double scale = s ? std::atof(s) : 1.0;
    const auto rounds = static_cast<std::uint64_t>(std::atof(argv[1]) * 1e6 * scale);
    const auto bytes = static_cast<std::size_t>(std::atof(argv[2]) * 1048576.0 * scale);
    volatile std::uint64_t h = 0xcbf29ce484222325ULL;
    for (std::uint64_t i = 0; i < rounds; ++i) h = (h ^ i) * 0x100000001b3ULL;
    char* block = static_cast<char*>(std::malloc(bytes ? bytes : 1));
    std::memset(block, 1, bytes);
    std::printf("%llu %d\n", static_cast<unsigned long long>(h), block[bytes / 2]);
    std::free(block);
    return 0;
}
