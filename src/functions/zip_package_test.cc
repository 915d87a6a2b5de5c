#include "functions/zip_package.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace stator::functions {
namespace {

namespace fs = std::filesystem;

class ZipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/stator-zip-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Read(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::string dir_;
};

TEST_F(ZipTest, ExtractKeepsRunBitsAndFolders) {
  auto zip = ZipEntries({{"app.py", "print(1)\n", 0644},
                         {"bin/helper", "\x7f" "ELF...", 0755},
                         {"lib/libx.so", "so", 0644}});
  ASSERT_TRUE(zip.ok()) << zip.error().cause;
  fs::create_directories(dir_ + "/out");
  auto st = ExtractZip(*zip, dir_ + "/out");
  ASSERT_TRUE(st.ok()) << st.error().cause;
  EXPECT_EQ(st->files, 3u);
  EXPECT_EQ(Read(dir_ + "/out/app.py"), "print(1)\n");
  struct stat s;
  ASSERT_EQ(stat((dir_ + "/out/bin/helper").c_str(), &s), 0);
  EXPECT_TRUE(s.st_mode & S_IXUSR);
  ASSERT_EQ(stat((dir_ + "/out/app.py").c_str(), &s), 0);
  EXPECT_FALSE(s.st_mode & S_IXUSR);
}

TEST_F(ZipTest, RefusesEscapingPathsGarbageAndOversize) {
  fs::create_directories(dir_ + "/a");
  auto evil = ZipEntries({{"../evil.py", "x", 0644}});
  ASSERT_TRUE(evil.ok());
  auto r = ExtractZip(*evil, dir_ + "/a");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().error, "InvalidZip");
  EXPECT_FALSE(fs::exists(dir_ + "/evil.py"));

  EXPECT_FALSE(ExtractZip("not a zip at all", dir_ + "/a").ok());

  auto big = ZipEntries({{"big.bin", std::string(4096, 'z'), 0644}});
  ASSERT_TRUE(big.ok());
  fs::create_directories(dir_ + "/b");
  auto over = ExtractZip(*big, dir_ + "/b", 1000);
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.error().cause.find("Unzipped size"), std::string::npos);
}

TEST_F(ZipTest, ZipDirectoryRoundTrip) {
  fs::create_directories(dir_ + "/src/pkg");
  std::ofstream(dir_ + "/src/main.py") << "def handle(e, c): return e\n";
  std::ofstream(dir_ + "/src/pkg/tool.sh") << "#!/bin/sh\necho hi\n";
  chmod((dir_ + "/src/pkg/tool.sh").c_str(), 0755);
  auto zip = ZipDirectory(dir_ + "/src");
  ASSERT_TRUE(zip.ok()) << zip.error().cause;
  fs::create_directories(dir_ + "/dst");
  ASSERT_TRUE(ExtractZip(*zip, dir_ + "/dst").ok());
  EXPECT_EQ(Read(dir_ + "/dst/main.py"), "def handle(e, c): return e\n");
  EXPECT_EQ(access((dir_ + "/dst/pkg/tool.sh").c_str(), X_OK), 0);
  EXPECT_FALSE(ZipDirectory(dir_ + "/missing").ok());
}

}  // namespace
}  // namespace stator::functions
