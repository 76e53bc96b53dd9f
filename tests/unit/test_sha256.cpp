#include "chiprace/core/sha256.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

using chiprace::sha256_of_bytes;

TEST_CASE("sha256: the examples of FIPS 180-4 (one block, two blocks, padding edges)") {
    CHECK(sha256_of_bytes("") ==
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_of_bytes("abc") ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // 56 bytes: the length no longer fits in the first block.
    CHECK(sha256_of_bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(sha256_of_bytes(std::string(1000000, 'a')) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256: a file hashes as its bytes; a missing file is an error") {
    const auto path = std::filesystem::temp_directory_path() /
                      ("chiprace-sha-" + std::to_string(::getpid()) + ".bin");
    std::string bytes;
    for (int i = 0; i < 200000; ++i) // several read buffers, not a multiple of 64
        bytes += static_cast<char>(i * 7 % 251);
    std::ofstream(path, std::ios::binary) << bytes;
    CHECK(chiprace::sha256_of_file(path.string()) == sha256_of_bytes(bytes));
    std::filesystem::remove(path);
    CHECK_THROWS_AS((void)chiprace::sha256_of_file(path.string()), std::runtime_error);
}
