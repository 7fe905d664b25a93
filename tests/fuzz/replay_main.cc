// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The replay mode of a fuzz target: linked instead of libFuzzer into the
// test build (any compiler, the build's sanitizers), it runs every file of
// the directories and files given through LLVMFuzzerTestOneInput, in name
// order, and fails when none was found, so that a corpus that went missing
// does not pass. A crash or sanitizer report fails the test as it would the
// fuzzer. CTest runs it as fuzz_replay:<target> over tests/fuzz/corpus/<target>.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    std::error_code ec;
    if (std::filesystem::is_directory(argv[i], ec)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(argv[i])) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
    } else if (std::filesystem::is_regular_file(argv[i], ec)) {
      files.emplace_back(argv[i]);
    } else {
      std::fprintf(stderr, "replay: no such file or directory: %s\n", argv[i]);
      return 1;
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "replay: no inputs found\n");
    return 1;
  }
  for (const auto& path : files) {
    std::ifstream f(path, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (!f.good() && !f.eof()) {
      std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
      return 1;
    }
    std::fprintf(stderr, "replay: %s (%zu bytes)\n", path.filename().c_str(), bytes.size());
    // A copy of exactly |size| bytes, so ASan sees a read past the end.
    std::vector<uint8_t> input(bytes.begin(), bytes.end());
    uint8_t* data = input.empty() ? nullptr : input.data();
    LLVMFuzzerTestOneInput(data, input.size());
  }
  std::printf("replay: %zu inputs ran\n", files.size());
  return 0;
}
