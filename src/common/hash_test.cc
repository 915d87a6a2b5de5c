#include "common/hash.h"

#include <gtest/gtest.h>

namespace stator::hash {
namespace {

std::string Hex(Algorithm a, std::string_view s) { return HexDigest(a, s); }

TEST(HashTest, Md5Vectors) {  // RFC 1321 appendix A.5
  EXPECT_EQ(Hex(Algorithm::kMd5, ""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Hex(Algorithm::kMd5, "abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(Hex(Algorithm::kMd5, "message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(Hex(Algorithm::kMd5,
                "12345678901234567890123456789012345678901234567890123456789012345678901234567890"),
            "57edf4a22be3c955ac49da2e2107b67a");
}

TEST(HashTest, Sha1Vectors) {  // FIPS 180 examples
  EXPECT_EQ(Hex(Algorithm::kSha1, ""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(Hex(Algorithm::kSha1, "abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Hex(Algorithm::kSha1, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(Hex(Algorithm::kSha1, std::string(1000000, 'a')),
            "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(HashTest, Sha256Vectors) {
  EXPECT_EQ(Hex(Algorithm::kSha256, ""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(Algorithm::kSha256, "abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Hex(Algorithm::kSha256, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(HashTest, Sha384Vectors) {
  EXPECT_EQ(Hex(Algorithm::kSha384, "abc"),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
            "8086072ba1e7cc2358baeca134c825a7");
  EXPECT_EQ(Hex(Algorithm::kSha384, ""),
            "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da"
            "274edebfe76f65fbd51ad2f14898b95b");
}

TEST(HashTest, Sha512Vectors) {
  EXPECT_EQ(Hex(Algorithm::kSha512, "abc"),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  EXPECT_EQ(Hex(Algorithm::kSha512,
                "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
            "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
            "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909");
}

TEST(HashTest, AwsRecordedStatesHash) {  // conformance case intrinsic_functions/test_hash
  EXPECT_EQ(Hex(Algorithm::kMd5, "input data"), "812f45842bc6d66ee14572ce20db8e86");
  EXPECT_EQ(Hex(Algorithm::kSha1, "input data"), "aaff4a450a104cd177d28d18d74485e8cae074b7");
  EXPECT_EQ(Hex(Algorithm::kSha256, "input data"),
            "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3");
  EXPECT_EQ(Hex(Algorithm::kSha384, "input data"),
            "d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e"
            "9374a15562");
  EXPECT_EQ(Hex(Algorithm::kSha512, "input data"),
            "6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593f"
            "c50283731a533d30d425402d4f91316d871303aac4");
}

TEST(HashTest, BlockBoundaries) {
  // Lengths around the padding boundary (55/56/64 bytes for 64-byte blocks, 111/112 for 128)
  // must all produce distinct, stable digests; compare against known SHA-256 of 'a'*N.
  EXPECT_EQ(Hex(Algorithm::kSha256, std::string(55, 'a')),
            "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(Hex(Algorithm::kSha256, std::string(56, 'a')),
            "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  EXPECT_EQ(Hex(Algorithm::kSha256, std::string(64, 'a')),
            "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

TEST(HashTest, Names) {
  EXPECT_EQ(AlgorithmFromName("SHA-256"), Algorithm::kSha256);
  EXPECT_EQ(AlgorithmFromName("MD5"), Algorithm::kMd5);
  EXPECT_FALSE(AlgorithmFromName("sha-256").has_value());
  EXPECT_FALSE(AlgorithmFromName("SHA256").has_value());
}

}  // namespace
}  // namespace stator::hash
