#include "functions/zip_package.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace stator::functions {
namespace {

namespace fs = std::filesystem;

// ---- Archives built byte by byte, to reach what the writer never produces ----------------------

void Put16(std::string& o, uint32_t v) {
  o.push_back(static_cast<char>(v & 0xFF));
  o.push_back(static_cast<char>((v >> 8) & 0xFF));
}
void Put32(std::string& o, uint32_t v) {
  Put16(o, v & 0xFFFF);
  Put16(o, v >> 16);
}
void Put64(std::string& o, uint64_t v) {
  Put32(o, static_cast<uint32_t>(v));
  Put32(o, static_cast<uint32_t>(v >> 32));
}
uint32_t Crc(const std::string& s) {
  return static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size())));
}
std::string RawDeflate(const std::string& s) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, s.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(s.data()));
  z.avail_in = static_cast<uInt>(s.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}
// `zeros` zero bytes deflated a megabyte at a time: a bomb of about zeros / 1000 bytes.
std::string DeflatedZeros(uint64_t zeros) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string chunk(1 << 20, '\0');
  std::string out;
  char buf[1 << 16];
  for (uint64_t left = zeros;;) {
    uint64_t n = std::min<uint64_t>(left, chunk.size());
    left -= n;
    z.next_in = reinterpret_cast<Bytef*>(chunk.data());
    z.avail_in = static_cast<uInt>(n);
    int flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
    int rc;
    do {
      z.next_out = reinterpret_cast<Bytef*>(buf);
      z.avail_out = sizeof buf;
      rc = deflate(&z, flush);
      out.append(buf, sizeof buf - z.avail_out);
    } while (z.avail_out == 0);
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && rc != Z_BUF_ERROR) {  // Z_BUF_ERROR: no progress possible, not an error
      ADD_FAILURE() << "deflate: " << rc;
      break;
    }
  }
  deflateEnd(&z);
  return out;
}

struct RawEntry {
  std::string name;
  std::string stored;  // the bytes as they are in the archive
  uint16_t method = 0;
  uint32_t crc = 0;
  uint64_t size = 0;
  uint16_t flags = 0;
  uint32_t external = 0100644u << 16;
  bool zip64_extra = false;   // sizes and offset in ZIP64 extra fields, 0xFFFFFFFF in the record
  int64_t local_offset = -1;  // >= 0: the central record points there instead
};
RawEntry Stored(std::string name, std::string content, uint32_t mode = 0100644) {
  RawEntry e{std::move(name), content, 0, Crc(content), content.size()};
  e.external = mode << 16;
  return e;
}
RawEntry Deflated(std::string name, const std::string& content) {
  return RawEntry{std::move(name), RawDeflate(content), 8, Crc(content), content.size()};
}
struct RawOptions {
  bool zip64_eocd = false;
  std::string comment;
  int64_t entries = -1;  // >= 0: the count the end records claim
};
// The fields a local header and its central record share: version needed, flags, method, time
// and date, CRC, both sizes and the name's length.
void PutSharedFields(std::string& out, const RawEntry& e) {
  Put16(out, e.zip64_extra ? 45 : 20);
  Put16(out, e.flags);
  Put16(out, e.method);
  Put32(out, 0x00210000);  // 1980-01-01 00:00
  Put32(out, e.crc);
  Put32(out, e.zip64_extra ? 0xFFFFFFFF : static_cast<uint32_t>(e.stored.size()));
  Put32(out, e.zip64_extra ? 0xFFFFFFFF : static_cast<uint32_t>(e.size));
  Put16(out, static_cast<uint32_t>(e.name.size()));
}
std::string BuildZip(const std::vector<RawEntry>& es, const RawOptions& o = {}) {
  std::string out;
  std::vector<uint64_t> offsets;
  for (const RawEntry& e : es) {
    offsets.push_back(out.size());
    Put32(out, 0x04034b50);
    PutSharedFields(out, e);
    Put16(out, e.zip64_extra ? 20 : 0);
    out += e.name;
    if (e.zip64_extra) {
      Put16(out, 1);
      Put16(out, 16);
      Put64(out, e.size);
      Put64(out, e.stored.size());
    }
    out += e.stored;
  }
  uint64_t cd = out.size();
  for (size_t i = 0; i < es.size(); ++i) {
    const RawEntry& e = es[i];
    uint64_t off = e.local_offset >= 0 ? static_cast<uint64_t>(e.local_offset) : offsets[i];
    Put32(out, 0x02014b50);
    Put16(out, (3 << 8) | 45);
    PutSharedFields(out, e);
    Put16(out, e.zip64_extra ? 28 : 0);
    Put16(out, 0);
    Put16(out, 0);
    Put16(out, 0);
    Put32(out, e.external);
    Put32(out, e.zip64_extra ? 0xFFFFFFFF : static_cast<uint32_t>(off));
    out += e.name;
    if (e.zip64_extra) {
      Put16(out, 1);
      Put16(out, 24);
      Put64(out, e.size);
      Put64(out, e.stored.size());
      Put64(out, off);
    }
  }
  uint64_t cd_size = out.size() - cd;
  uint64_t n = o.entries >= 0 ? static_cast<uint64_t>(o.entries) : es.size();
  if (o.zip64_eocd) {
    uint64_t rec = out.size();
    Put32(out, 0x06064b50);
    Put64(out, 44);
    Put16(out, (3 << 8) | 45);
    Put16(out, 45);
    Put32(out, 0);
    Put32(out, 0);
    Put64(out, n);
    Put64(out, n);
    Put64(out, cd_size);
    Put64(out, cd);
    Put32(out, 0x07064b50);
    Put32(out, 0);
    Put64(out, rec);
    Put32(out, 1);
  }
  Put32(out, 0x06054b50);
  Put16(out, 0);
  Put16(out, 0);
  Put16(out, o.zip64_eocd ? 0xFFFF : static_cast<uint32_t>(std::min<uint64_t>(n, 0xFFFF)));
  Put16(out, o.zip64_eocd ? 0xFFFF : static_cast<uint32_t>(std::min<uint64_t>(n, 0xFFFF)));
  Put32(out, o.zip64_eocd ? 0xFFFFFFFF : static_cast<uint32_t>(cd_size));
  Put32(out, o.zip64_eocd ? 0xFFFFFFFF : static_cast<uint32_t>(cd));
  Put16(out, static_cast<uint32_t>(o.comment.size()));
  out += o.comment;
  return out;
}

class ZipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/stator-zip-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr) << strerror(errno);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Read(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  void Write(const std::string& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  // A fresh empty folder under the test's directory.
  std::string Out(const std::string& name) {
    std::string p = dir_ + "/" + name;
    fs::create_directories(p);
    return p;
  }
  // Runs a shell command, returns its exit status and (in *out) its standard output.
  int Run(const std::string& cmd, std::string* out = nullptr) {
    FILE* f = popen(cmd.c_str(), "r");
    if (!f) return -1;
    std::string s;
    char b[4096];
    size_t n;
    while ((n = fread(b, 1, sizeof b, f)) > 0) s.append(b, n);
    int rc = pclose(f);
    if (out) *out = s;
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }
  // Runs a Python script with the test directory as its working directory.
  int Python(const std::string& script, std::string* out = nullptr) {
    Write(dir_ + "/script.py", script);
    return Run("cd " + dir_ + " && python3 script.py", out);
  }
  mode_t Mode(const std::string& p) {
    struct stat s;
    return lstat(p.c_str(), &s) == 0 ? s.st_mode : 0;
  }
  std::string dir_;
};

void ExpectInvalid(const Result<UnzipStats>& r, const std::string& text) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().error, "InvalidZip");
  EXPECT_NE(r.error().cause.find(text), std::string::npos) << r.error().cause;
}

// ---- Round trips -------------------------------------------------------------------------------

TEST_F(ZipTest, ExtractKeepsRunBitsAndFolders) {
  auto zip = ZipEntries({{"app.py", "print(1)\n", 0644},
                         {"bin/helper",
                          "\x7f"
                          "ELF...",
                          0755},
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
  fs::create_directories(dir_ + "/src/empty/inner");
  std::ofstream(dir_ + "/src/main.py") << "def handle(e, c): return e\n";
  std::ofstream(dir_ + "/src/pkg/tool.sh") << "#!/bin/sh\necho hi\n";
  chmod((dir_ + "/src/pkg/tool.sh").c_str(), 0755);
  auto zip = ZipDirectory(dir_ + "/src");
  ASSERT_TRUE(zip.ok()) << zip.error().cause;
  fs::create_directories(dir_ + "/dst");
  auto st = ExtractZip(*zip, dir_ + "/dst");
  ASSERT_TRUE(st.ok()) << st.error().cause;
  EXPECT_EQ(st->files, 2u);
  EXPECT_EQ(Read(dir_ + "/dst/main.py"), "def handle(e, c): return e\n");
  EXPECT_EQ(access((dir_ + "/dst/pkg/tool.sh").c_str(), X_OK), 0);
  EXPECT_NE(access((dir_ + "/dst/main.py").c_str(), X_OK), 0);
  EXPECT_TRUE(fs::is_directory(dir_ + "/dst/empty/inner"));
  EXPECT_FALSE(ZipDirectory(dir_ + "/missing").ok());
  // The same files give the same bytes (no timestamps recorded).
  auto again = ZipDirectory(dir_ + "/src");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *zip);
}

TEST_F(ZipTest, RoundTripOfContentsModesAndFolders) {
  std::string incompressible;
  uint32_t x = 12345;
  for (int i = 0; i < 100000; ++i) {
    x = x * 1103515245 + 12345;
    incompressible.push_back(static_cast<char>(x >> 24));
  }
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "line " + std::to_string(i) + "\n";
  auto zip = ZipEntries({{"data/", "", 0755},
                         {"data/random.bin", incompressible, 0600},
                         {"data/text.txt", text, 0644},
                         {"empty.txt", "", 0644},
                         {"run", "#!/bin/sh\n", 0750},
                         {"caf\xc3\xa9.py", "x = 1\n", 0644},
                         {"run", "#!/bin/sh\nexit 0\n", 0755}});  // replaces the first "run"
  ASSERT_TRUE(zip.ok()) << zip.error().cause;
  EXPECT_LT(zip->size(), incompressible.size() + text.size() / 4);  // text got deflated
  std::string out = Out("out");
  auto st = ExtractZip(*zip, out);
  ASSERT_TRUE(st.ok()) << st.error().cause;
  EXPECT_EQ(st->files, 5u);
  EXPECT_EQ(st->bytes, incompressible.size() + text.size() + 6 + 17);
  EXPECT_EQ(Read(out + "/data/random.bin"), incompressible);
  EXPECT_EQ(Read(out + "/data/text.txt"), text);
  EXPECT_EQ(Read(out + "/empty.txt"), "");
  EXPECT_EQ(Read(out + "/run"), "#!/bin/sh\nexit 0\n");
  EXPECT_EQ(Read(out + "/caf\xc3\xa9.py"), "x = 1\n");
  EXPECT_EQ(Mode(out + "/run") & 0777, 0755u);
  EXPECT_EQ(Mode(out + "/data/random.bin") & 0777, 0600u);
  EXPECT_EQ(Mode(out + "/data/text.txt") & 0777, 0644u);
}

// What we write, Python's zipfile and Info-ZIP's unzip read (names, modes, sizes, CRCs).
TEST_F(ZipTest, PythonAndUnzipReadWhatWeWrite) {
  auto zip = ZipEntries({{"app.py", "def handler(e, c):\n    return e\n", 0644},
                         {"bin/", "", 0755},
                         {"bin/helper",
                          std::string(5000, 'A') + "\x7f"
                                                   "ELF",
                          0755},
                         {"empty", "", 0600}});
  ASSERT_TRUE(zip.ok()) << zip.error().cause;
  Write(dir_ + "/ours.zip", *zip);
  std::string listing;
  ASSERT_EQ(Python(R"(
import zipfile
with zipfile.ZipFile("ours.zip") as z:
    assert z.testzip() is None
    for i in z.infolist():
        print(i.filename, oct(i.external_attr >> 16), i.create_system, i.file_size,
              i.compress_type, len(z.read(i)))
)",
                   &listing),
            0);
  EXPECT_EQ(listing,
            "app.py 0o100644 3 32 0 32\n"
            "bin/ 0o40755 3 0 0 0\n"
            "bin/helper 0o100755 3 5004 8 5004\n"
            "empty 0o100600 3 0 0 0\n");
  if (Run("command -v unzip >/dev/null") != 0) GTEST_SKIP() << "no unzip installed";
  std::string out;
  EXPECT_EQ(Run("unzip -l " + dir_ + "/ours.zip", &out), 0) << out;
  EXPECT_NE(out.find("bin/helper"), std::string::npos) << out;
  EXPECT_NE(out.find("4 files"), std::string::npos) << out;
  EXPECT_EQ(Run("unzip -tq " + dir_ + "/ours.zip", &out), 0) << out;
  EXPECT_EQ(Run("cd " + dir_ +
                " && mkdir uz && cd uz && unzip -q ../ours.zip && test -x "
                "bin/helper && ! test -x app.py"),
            0);
}

// More than 65,535 entries: ZIP64 end records, read back by us and by Python.
TEST_F(ZipTest, ManyEntriesUseZip64EndRecords) {
  std::vector<ZipEntry> entries;
  for (int i = 0; i < 70000; ++i) entries.push_back({"f/" + std::to_string(i), "", 0644});
  auto zip = ZipEntries(entries);
  ASSERT_TRUE(zip.ok()) << zip.error().cause;
  Write(dir_ + "/many.zip", *zip);
  std::string out;
  ASSERT_EQ(Python("import zipfile\nz = zipfile.ZipFile('many.zip')\n"
                   "print(len(z.infolist()), z.testzip())\n",
                   &out),
            0);
  EXPECT_EQ(out, "70000 None\n");
  auto st = ExtractZip(*zip, Out("many"));
  ASSERT_TRUE(st.ok()) << st.error().cause;
  EXPECT_EQ(st->files, 70000u);
  EXPECT_TRUE(fs::exists(dir_ + "/many/f/69999"));
}

// ---- Archives from Python's zipfile -------------------------------------------------------------

TEST_F(ZipTest, ReadsWhatPythonWrites) {
  // Every combination of stored/deflated, seekable/streamed (data descriptors, bit 3) and
  // ZIP64 local headers (force_zip64); each with a folder, an executable, a symlink, text.
  ASSERT_EQ(Python(R"(
import io, zipfile

class Stream:  # write-only: zipfile falls back to data descriptors
    def __init__(self): self.b = bytearray()
    def write(self, d): self.b += d; return len(d)
    def flush(self): pass

files = [("lib/", b"", 0o40755), ("app.py", b"def handler(e, c):\n    return 1\n" * 50, 0o100644),
         ("bin/helper", b"\x7fELF" + bytes(range(256)) * 40, 0o100755),
         ("link", b"app.py", 0o120777), ("lib/empty.txt", b"", 0o100644)]
for method, mname in ((zipfile.ZIP_STORED, "stored"), (zipfile.ZIP_DEFLATED, "deflated")):
    for streamed in (False, True):
        for zip64 in (False, True):
            sink = Stream() if streamed else io.BytesIO()
            with zipfile.ZipFile(sink, "w", method, allowZip64=True) as z:
                for name, data, mode in files:
                    info = zipfile.ZipInfo(name)
                    info.external_attr = mode << 16
                    info.compress_type = method
                    if name.endswith("/"):
                        z.writestr(info, data)
                    else:
                        with z.open(info, "w", force_zip64=zip64) as f:
                            f.write(data)
            data = sink.b if streamed else sink.getvalue()
            flags = {i.filename: i.flag_bits for i in zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()}
            assert bool(flags["app.py"] & 8) == streamed, flags
            open("py-%s-%s-%s.zip" % (mname, "dd" if streamed else "seek", "z64" if zip64 else "32"), "wb").write(data)
)"),
            0);
  int seen = 0;
  for (const auto& f : fs::directory_iterator(dir_)) {
    std::string name = f.path().filename();
    if (name.rfind("py-", 0) != 0) continue;
    ++seen;
    SCOPED_TRACE(name);
    std::string out = Out("x-" + name);
    auto st = ExtractZip(Read(f.path()), out);
    ASSERT_TRUE(st.ok()) << st.error().cause;
    EXPECT_EQ(st->files, 3u);
    std::string app;
    for (int i = 0; i < 50; ++i) app += "def handler(e, c):\n    return 1\n";
    EXPECT_EQ(Read(out + "/app.py"), app);
    EXPECT_EQ(Read(out + "/bin/helper").size(), 4u + 256 * 40);
    EXPECT_EQ(Mode(out + "/bin/helper") & 0777, 0755u);
    EXPECT_EQ(Mode(out + "/app.py") & 0777, 0644u);
    EXPECT_TRUE(fs::is_directory(out + "/lib"));
    EXPECT_TRUE(fs::exists(out + "/lib/empty.txt"));
    EXPECT_FALSE(fs::exists(fs::symlink_status(out + "/link")));  // symlinks are skipped
  }
  EXPECT_EQ(seen, 8);
}

// The ZIP64 extra field in the central directory (sizes and offset at 0xFFFFFFFF) and the ZIP64
// end records, with an archive comment; Python reads the fixture the same way.
TEST_F(ZipTest, ReadsZip64FieldsAndComments) {
  RawEntry a = Deflated("a.txt", std::string(10000, 'a'));
  a.zip64_extra = true;
  RawEntry b = Stored("b/c.txt", "see");
  b.zip64_extra = true;
  std::string zip = BuildZip({a, b}, {.zip64_eocd = true, .comment = "a comment"});
  Write(dir_ + "/z64.zip", zip);
  std::string py;
  ASSERT_EQ(Python("import zipfile\nz = zipfile.ZipFile('z64.zip')\n"
                   "print([(i.filename, len(z.read(i))) for i in z.infolist()], z.testzip())\n",
                   &py),
            0);
  EXPECT_EQ(py, "[('a.txt', 10000), ('b/c.txt', 3)] None\n");
  std::string out = Out("z64");
  auto st = ExtractZip(zip, out);
  ASSERT_TRUE(st.ok()) << st.error().cause;
  EXPECT_EQ(Read(out + "/a.txt"), std::string(10000, 'a'));
  EXPECT_EQ(Read(out + "/b/c.txt"), "see");
  // A comment holding the End Of Central Directory signature (Python's zipfile trips on it).
  std::string tricky =
      BuildZip({a, b}, {.zip64_eocd = true, .comment = "PK\x05\x06" + std::string(40, 'c')});
  auto st2 = ExtractZip(tricky, Out("tricky"));
  ASSERT_TRUE(st2.ok()) << st2.error().cause;
  EXPECT_EQ(st2->files, 2u);
}

// Archives made by Info-ZIP's zip (when installed): symlinks stored with -y, streamed input.
TEST_F(ZipTest, ReadsWhatInfoZipWrites) {
  if (Run("command -v zip >/dev/null") != 0) GTEST_SKIP() << "no zip installed";
  ASSERT_EQ(Run("cd " + dir_ +
                " && mkdir -p src/bin && printf 'x = 1\\n' > src/app.py && "
                "printf '#!/bin/sh\\n' > src/bin/run && chmod 755 src/bin/run && "
                "ln -s /etc/passwd src/bin/pw && cd src && zip -qry ../iz.zip . && "
                "printf 'streamed\\n' | zip -q ../dd.zip -"),
            0);
  std::string out = Out("iz");
  auto st = ExtractZip(Read(dir_ + "/iz.zip"), out);
  ASSERT_TRUE(st.ok()) << st.error().cause;
  EXPECT_EQ(Read(out + "/app.py"), "x = 1\n");
  EXPECT_EQ(access((out + "/bin/run").c_str(), X_OK), 0);
  EXPECT_FALSE(fs::exists(fs::symlink_status(out + "/bin/pw")));
  std::string out2 = Out("dd");
  auto st2 = ExtractZip(Read(dir_ + "/dd.zip"), out2);
  ASSERT_TRUE(st2.ok()) << st2.error().cause;
  EXPECT_EQ(Read(out2 + "/-"), "streamed\n");
}

// ---- Broken and hostile archives -------------------------------------------------------------

TEST_F(ZipTest, CorruptCrcIsAnError) {
  RawEntry e = Deflated("app.py", "print('hello')\n");
  e.crc ^= 1;
  ExpectInvalid(ExtractZip(BuildZip({e}), Out("a")), "CRC-32");
  RawEntry s = Stored("app.py", "print('hello')\n");
  s.crc ^= 0x100;
  ExpectInvalid(ExtractZip(BuildZip({s}), Out("b")), "CRC-32");
  // A flipped byte in the compressed data of a real archive.
  std::string text;
  for (int i = 0; i < 2000; ++i) text += std::to_string(i * 7919) + ",";
  auto zip = ZipEntries({{"data.csv", text, 0644}});
  ASSERT_TRUE(zip.ok());
  std::string bad = *zip;
  bad[30 + 8 + 40] ^= 0x20;
  EXPECT_FALSE(ExtractZip(bad, Out("c")).ok());
}

TEST_F(ZipTest, TruncatedArchivesAreErrors) {
  auto zip =
      ZipEntries({{"app.py", "print(1)\n", 0644}, {"lib/x.py", std::string(3000, 'x'), 0644}});
  ASSERT_TRUE(zip.ok());
  for (size_t n = 0; n < zip->size(); ++n) {
    std::string out = Out("t");
    auto r = ExtractZip(std::string_view(*zip).substr(0, n), out);
    fs::remove_all(out);
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_NE(r.error().cause.find("unzip"), std::string::npos) << r.error().cause;
  }
  // The data cut short, the directory intact: the deflate stream ends early.
  RawEntry e = Deflated("x.txt", std::string(5000, 'x') + "tail");
  e.stored.resize(e.stored.size() / 2);
  ExpectInvalid(ExtractZip(BuildZip({e}), Out("short")), "x.txt");
  // Sizes that disagree with the data.
  RawEntry small = Deflated("y.txt", "0123456789");
  small.size = 20;
  ExpectInvalid(ExtractZip(BuildZip({small}), Out("small")), "smaller than recorded");
}

// Every single-byte change of a small archive is read without crashing or escaping the folder,
// and is either refused as an invalid zip or unpacks what the archive holds: each file's data
// passes its CRC-32 check, so a change can move a file (a flipped name) or skip it (a flipped
// mode), never alter its content.
TEST_F(ZipTest, SurvivesEveryFlippedByte) {
  const std::string py = "print(1)\n" + std::string(200, 'q');
  auto zip = ZipEntries({{"a/b.py", py, 0755}, {"c", "", 0644}});
  ASSERT_TRUE(zip.ok());
  int unpacked = 0, refused = 0;
  for (size_t i = 0; i < zip->size(); ++i) {
    for (unsigned char flip : {0x01, 0x80, 0xFF}) {
      SCOPED_TRACE("byte " + std::to_string(i) + " ^ " + std::to_string(flip));
      std::string bad = *zip;
      bad[i] = static_cast<char>(bad[i] ^ flip);
      std::string out = Out("f");
      auto r = ExtractZip(bad, out, 4096);
      if (r.ok()) {
        ++unpacked;
        uint64_t files = 0;
        for (const auto& e : fs::recursive_directory_iterator(out)) {
          if (!e.is_regular_file()) continue;
          ++files;
          std::string content = Read(e.path().string());
          EXPECT_TRUE(content == py || content.empty()) << e.path() << ": " << content;
        }
        EXPECT_EQ(r->files, files);
        EXPECT_LE(r->files, 2u);
        EXPECT_LE(r->bytes, py.size());
      } else {
        ++refused;
        EXPECT_EQ(r.error().error, "InvalidZip") << r.error().cause;
        EXPECT_FALSE(r.error().cause.empty());
      }
      fs::remove_all(out);
    }
  }
  // Both outcomes occur: most changes are caught, some touch nothing that matters (a time).
  EXPECT_GT(refused, 0);
  EXPECT_GT(unpacked, 0);
  EXPECT_TRUE(fs::is_empty(dir_));  // nothing landed beside the target folder
}

TEST_F(ZipTest, UnsupportedMethodsAndEncryptionAreNamed) {
  RawEntry bz = Stored("lib/data.bz2", "BZh9...");
  bz.method = 12;
  ExpectInvalid(ExtractZip(BuildZip({Stored("ok.py", "1"), bz}), Out("a")),
                "the entry lib/data.bz2 is compressed with bzip2");
  RawEntry odd = Stored("x", "y");
  odd.method = 77;
  ExpectInvalid(ExtractZip(BuildZip({odd}), Out("b")), "method 77");
  RawEntry enc = Stored("secret.py", "xxxxxxxxxxxxxxxx");
  enc.flags = 1;
  ExpectInvalid(ExtractZip(BuildZip({enc}), Out("c")), "the entry secret.py is encrypted");
}

TEST_F(ZipTest, PathTraversalIsRefused) {
  for (const char* name :
       {"../up.py", "a/../../up.py", "/etc/abs.py", "a/./b.py", "a//b.py", "..\\win.py", "./x"}) {
    SCOPED_TRACE(name);
    ExpectInvalid(ExtractZip(BuildZip({Stored(name, "x")}), Out("p")), "outside the package");
    fs::remove_all(dir_ + "/p");
  }
  EXPECT_FALSE(fs::exists(dir_ + "/up.py"));
  std::string nul("a\0b", 3);
  EXPECT_FALSE(ExtractZip(BuildZip({Stored(nul, "x")}), Out("n")).ok());
  // A directory entry refused the same way.
  RawEntry d = Stored("../d/", "", 040755);
  ExpectInvalid(ExtractZip(BuildZip({d}), Out("dt")), "outside the package");
  EXPECT_FALSE(fs::exists(dir_ + "/d"));
}

size_t PeakRssKb() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<size_t>(ru.ru_maxrss);
}

TEST_F(ZipTest, BombsStopAtTheCapWhileInflating) {
  const uint64_t kHuge = 512ull << 20;  // 512 MiB of zeros, about 500 KB deflated
  std::string bomb = DeflatedZeros(kHuge);
  ASSERT_LT(bomb.size(), 1u << 20);
  size_t rss_before = PeakRssKb();

  // It says it is small: inflating stops at the recorded size (well under the default cap).
  RawEntry liar{"zeros.bin", bomb, 8, 0, 1000};
  std::string out = Out("liar");
  ExpectInvalid(ExtractZip(BuildZip({liar}), out), "larger than recorded");
  EXPECT_LE(fs::file_size(out + "/zeros.bin"), 1000u);

  // It says how large it is: refused before inflating anything.
  RawEntry honest{"zeros.bin", bomb, 8, static_cast<uint32_t>(crc32(0, nullptr, 0)), kHuge};
  std::string out2 = Out("honest");
  ExpectInvalid(ExtractZip(BuildZip({honest}), out2), "Unzipped size must be smaller than");
  EXPECT_FALSE(fs::exists(out2 + "/zeros.bin"));

  // Many entries under the cap each, over it together.
  std::vector<RawEntry> many;
  for (int i = 0; i < 5; ++i) {
    many.push_back(Deflated("part" + std::to_string(i), std::string(300000, 'z')));
  }
  ExpectInvalid(ExtractZip(BuildZip(many), Out("many"), 1000000), "Unzipped size");

  // Many central records pointing at the same compressed data (overlapping entries).
  RawEntry first = Deflated("one", std::string(100000, 'o'));
  RawEntry second = first;
  second.name = "two";
  second.local_offset = 0;
  ExpectInvalid(ExtractZip(BuildZip({first, second}), Out("overlap")), "overlap");

  EXPECT_LT(PeakRssKb() - rss_before, 64u * 1024) << "kB of peak RSS added";
}

TEST_F(ZipTest, LiesInTheDirectoryAreErrors) {
  // More entries claimed than the central directory can hold, classic and ZIP64.
  std::string zip = BuildZip({Stored("a", "1")}, {.comment = "", .entries = 0xFFFF});
  ExpectInvalid(ExtractZip(zip, Out("a")), "too small");
  std::string zip64 =
      BuildZip({Stored("a", "1")}, {.zip64_eocd = true, .comment = "", .entries = 1ll << 60});
  ExpectInvalid(ExtractZip(zip64, Out("b")), "too small");
  // A local header offset past the end of the data.
  RawEntry far = Stored("far", "1");
  far.local_offset = 0x7FFFFFFF;
  ExpectInvalid(ExtractZip(BuildZip({far}), Out("c")), "local header of 'far'");
  RawEntry far64 = Stored("far64", "1");
  far64.zip64_extra = true;
  far64.local_offset = 1ll << 62;
  ExpectInvalid(ExtractZip(BuildZip({far64}), Out("d")), "local header of 'far64'");
  // A compressed size that runs into the central directory.
  RawEntry longer = Stored("long", "12345");
  std::string z = BuildZip({longer});
  // The central record's compressed and uncompressed sizes: 20 and 24 bytes in.
  size_t cd = z.find("PK\x01\x02");
  ASSERT_NE(cd, std::string::npos);
  z[cd + 20] = 100;
  z[cd + 24] = 100;
  ExpectInvalid(ExtractZip(z, Out("e")), "truncated");
  // The empty archive is fine.
  auto empty = ExtractZip(BuildZip({}), Out("f"));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->files, 0u);
}

TEST_F(ZipTest, WriterRefusesWhatItCannotWrite) {
  EXPECT_FALSE(ZipEntries({{"", "x", 0644}}).ok());
  EXPECT_FALSE(ZipEntries({{"dir/", "data in a folder", 0755}}).ok());
}

}  // namespace
}  // namespace stator::functions
