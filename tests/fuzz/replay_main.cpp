// SPDX-License-Identifier: GPL-2.0-or-later
// Standalone driver for the fuzz targets: runs LLVMFuzzerTestOneInput once on every file given
// on the command line, or found (recursively, sorted) in the directories given. With it the
// targets build with any compiler as ordinary programs, so CI replays the seed corpus and the
// saved regressions without clang. A missing directory is skipped (regressions/ may be empty);
// files whose name starts with '.' are ignored. Exit status 0 when every input ran.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);

namespace fs = std::filesystem;

namespace {

bool hidden(const fs::path &p) {
    const std::string name = p.filename().string();
    return !name.empty() && name.front() == '.';
}

void collect(const fs::path &arg, std::vector<fs::path> &files) {
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
        for (fs::recursive_directory_iterator it(arg, ec), end; !ec && it != end;
             it.increment(ec)) {
            if (it->is_regular_file(ec) && !hidden(it->path())) files.push_back(it->path());
        }
    } else if (fs::is_regular_file(arg, ec)) {
        files.push_back(arg);
    } else {
        std::printf("fuzz replay: %s: not found, skipped\n", arg.string().c_str());
    }
}

}  // namespace

int main(int argc, char **argv) {
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i) collect(argv[i], files);
    std::sort(files.begin(), files.end());
    std::size_t bytes = 0;
    for (const fs::path &f : files) {
        std::ifstream in(f, std::ios::binary);
        if (!in) {
            std::fprintf(stderr, "fuzz replay: cannot read %s\n", f.string().c_str());
            return 1;
        }
        const std::vector<char> buf((std::istreambuf_iterator<char>(in)),
                                    std::istreambuf_iterator<char>());
        // A crash or failed invariant aborts here, naming the input first.
        std::fprintf(stderr, "fuzz replay: %s\n", f.string().c_str());
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t *>(buf.data()), buf.size());
        bytes += buf.size();
    }
    std::printf("fuzz replay: %zu inputs (%zu bytes) replayed without failure\n", files.size(),
                bytes);
    return files.empty() ? 1 : 0;
}
