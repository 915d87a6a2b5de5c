// Our own ZIP reader and writer over zlib (no libzip): the format facts used here are those of
// PKWARE's APPNOTE.TXT (local file header, central directory, End Of Central Directory record,
// ZIP64 records and extra field, data descriptors), and zlib's raw deflate (windowBits -15).
//
// Reading trusts nothing in the archive: every offset and size is checked against the buffer
// before it is used, the central directory (not the local headers) is the list of entries, the
// entries' data ranges may not overlap one another or the central directory, each entry is
// inflated in 64 KiB steps and stopped as soon as it produces more than its recorded size (whose
// sum is capped at max_bytes before anything is inflated), and its CRC-32 is checked.
//
// Thread-safety: pure functions over their arguments (the file system aside).
#include "functions/zip_package.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <unordered_map>
#include <vector>

namespace stator::functions {
namespace {

namespace fs = std::filesystem;

Error Invalid(std::string cause) { return Error{"InvalidZip", std::move(cause)}; }

constexpr char kNotAZip[] =
    "Could not unzip uploaded file. Please check your file, then try to upload again.";
constexpr char kCannotUnzip[] = "Could not unzip uploaded file: ";

Error Corrupt(const std::string& what) { return Invalid(kCannotUnzip + what); }

// ---- The format (APPNOTE.TXT 4.3) -------------------------------------------------------------

constexpr uint32_t kLocalHeaderSig = 0x04034b50;
constexpr uint32_t kCentralHeaderSig = 0x02014b50;
constexpr uint32_t kEocdSig = 0x06054b50;
constexpr uint32_t kZip64EocdSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr uint64_t kLocalHeaderSize = 30;
constexpr uint64_t kCentralHeaderSize = 46;
constexpr uint64_t kEocdSize = 22;
constexpr uint64_t kZip64EocdSize = 56;  // without its extensible data sector
constexpr uint64_t kZip64LocatorSize = 20;
constexpr uint64_t kMaxCommentSize = 0xFFFF;
constexpr uint16_t kZip64ExtraId = 0x0001;

constexpr uint16_t kFlagEncrypted = 1 << 0;
constexpr uint16_t kFlagStrongEncryption = 1 << 6;
constexpr uint16_t kFlagUtf8 = 1 << 11;
constexpr uint16_t kFlagMaskedHeaders = 1 << 13;  // central directory encryption

constexpr uint16_t kMethodStored = 0;
constexpr uint16_t kMethodDeflate = 8;
constexpr uint8_t kHostUnix = 3;
constexpr uint16_t kVersion20 = 20;  // deflate, directories
constexpr uint16_t kVersion45 = 45;  // ZIP64
constexpr uint32_t kDosDirectory = 0x10;
// Written timestamps: 1980-01-01 00:00, the earliest MS-DOS date, so that packing the same
// files twice gives the same bytes (and the same CodeSha256).
constexpr uint16_t kDosTime = 0;
constexpr uint16_t kDosDate = (0 << 9) | (1 << 5) | 1;

constexpr uint32_t kMax16 = 0xFFFF;
constexpr uint64_t kMax32 = 0xFFFFFFFF;

uint16_t Get16(const char* p) {
  auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<uint16_t>(u[0] | (u[1] << 8));
}
uint32_t Get32(const char* p) {
  return static_cast<uint32_t>(Get16(p)) | (static_cast<uint32_t>(Get16(p + 2)) << 16);
}
uint64_t Get64(const char* p) {
  return static_cast<uint64_t>(Get32(p)) | (static_cast<uint64_t>(Get32(p + 4)) << 32);
}
void Put16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v & 0xFF));
  out.push_back(static_cast<char>(v >> 8));
}
void Put32(std::string& out, uint32_t v) {
  Put16(out, static_cast<uint16_t>(v & 0xFFFF));
  Put16(out, static_cast<uint16_t>(v >> 16));
}
void Put64(std::string& out, uint64_t v) {
  Put32(out, static_cast<uint32_t>(v & kMax32));
  Put32(out, static_cast<uint32_t>(v >> 32));
}

// True when [off, off + len) lies within [0, size), without overflowing.
bool Fits(uint64_t off, uint64_t len, uint64_t size) { return off <= size && len <= size - off; }

// zlib counts in uInt; feed it at most this much at a time.
constexpr uint64_t kZlibChunk = 1u << 30;

// ---- Reading ----------------------------------------------------------------------------------

// One central directory record, the ZIP64 extra field applied.
struct CentralEntry {
  std::string name;
  uint8_t host = 0;  // "version made by", high byte
  uint16_t flags = 0;
  uint16_t method = 0;
  uint32_t crc = 0;
  uint64_t compressed = 0;
  uint64_t size = 0;
  uint32_t external = 0;
  uint64_t local_offset = 0;
  uint64_t data_offset = 0;  // set from the local header
};

struct CentralDirectory {
  uint64_t offset = 0;
  uint64_t size = 0;
  uint64_t entries = 0;
};

// Finds the End Of Central Directory record (and the ZIP64 one it may point to). The record ends
// the file, followed only by its comment (at most 64 KiB); the search goes backwards so that the
// last record wins, and prefers one whose comment ends exactly at the end of the file.
Result<CentralDirectory> FindCentralDirectory(std::string_view zip) {
  const uint64_t size = zip.size();
  if (size < kEocdSize) return Invalid(kNotAZip);
  const uint64_t last = size - kEocdSize;
  const uint64_t first = last > kMaxCommentSize ? last - kMaxCommentSize : 0;
  uint64_t eocd = UINT64_MAX;
  uint64_t loose = UINT64_MAX;  // a record followed by more than its comment
  for (uint64_t pos = last + 1; pos-- > first;) {
    if (Get32(zip.data() + pos) != kEocdSig) continue;
    uint64_t comment = Get16(zip.data() + pos + 20);
    if (pos + kEocdSize + comment == size) {
      eocd = pos;
      break;
    }
    if (loose == UINT64_MAX && pos + kEocdSize + comment < size) loose = pos;
  }
  if (eocd == UINT64_MAX) eocd = loose;
  if (eocd == UINT64_MAX) return Invalid(kNotAZip);
  const char* e = zip.data() + eocd;
  uint32_t disk = Get16(e + 4);
  uint32_t cd_disk = Get16(e + 6);
  uint64_t disk_entries = Get16(e + 8);
  CentralDirectory cd;
  cd.entries = Get16(e + 10);
  cd.size = Get32(e + 12);
  cd.offset = Get32(e + 16);
  uint64_t cd_end_limit = eocd;  // the central directory lies before this offset

  if (eocd >= kZip64LocatorSize && Get32(e - kZip64LocatorSize) == kZip64LocatorSig) {
    const char* loc = e - kZip64LocatorSize;
    uint32_t z64_disk = Get32(loc + 4);
    uint64_t z64 = Get64(loc + 8);
    uint32_t disks = Get32(loc + 16);
    if (z64_disk != 0 || disks > 1) {
      return Corrupt("split (multi-volume) archives are not supported");
    }
    if (!Fits(z64, kZip64EocdSize, eocd - kZip64LocatorSize) ||
        Get32(zip.data() + z64) != kZip64EocdSig) {
      return Corrupt("the ZIP64 end of central directory record is missing");
    }
    const char* r = zip.data() + z64;
    if (Get64(r + 4) < kZip64EocdSize - 12) {
      return Corrupt("the ZIP64 end of central directory record is truncated");
    }
    disk = Get32(r + 16);
    cd_disk = Get32(r + 20);
    disk_entries = Get64(r + 24);
    cd.entries = Get64(r + 32);
    cd.size = Get64(r + 40);
    cd.offset = Get64(r + 48);
    cd_end_limit = z64;
  }
  if (disk != 0 || cd_disk != 0 || disk_entries != cd.entries) {
    return Corrupt("split (multi-volume) archives are not supported");
  }
  if (!Fits(cd.offset, cd.size, cd_end_limit)) {
    return Corrupt("the central directory lies outside the file (truncated archive?)");
  }
  if (cd.entries > cd.size / kCentralHeaderSize) {
    return Corrupt("the central directory is too small for its " + std::to_string(cd.entries) +
                   " entries");
  }
  return cd;
}

// Applies the ZIP64 extended information extra field: each 32-bit field that holds 0xFFFFFFFF
// (and the 16-bit disk number at 0xFFFF) has its 64-bit value there, in a fixed order.
Status ApplyZip64Extra(std::string_view extra, CentralEntry& e, bool need_size,
                       bool need_compressed, bool need_offset) {
  if (!need_size && !need_compressed && !need_offset) return Status::Ok();
  while (extra.size() >= 4) {
    uint16_t id = Get16(extra.data());
    uint16_t len = Get16(extra.data() + 2);
    if (len > extra.size() - 4) break;
    std::string_view body = extra.substr(4, len);
    if (id == kZip64ExtraId) {
      size_t at = 0;
      auto take = [&](uint64_t& v) {
        if (body.size() - at < 8) return false;
        v = Get64(body.data() + at);
        at += 8;
        return true;
      };
      if ((need_size && !take(e.size)) || (need_compressed && !take(e.compressed)) ||
          (need_offset && !take(e.local_offset))) {
        break;
      }
      return Status::Ok();
    }
    extra.remove_prefix(4 + len);
  }
  return Corrupt("the entry '" + e.name + "' lacks its ZIP64 sizes");
}

// Walks the central directory, then checks each entry's local header and data range.
Result<std::vector<CentralEntry>> ReadEntries(std::string_view zip, const CentralDirectory& cd) {
  std::vector<CentralEntry> entries;
  entries.reserve(cd.entries);
  const char* base = zip.data() + cd.offset;
  uint64_t at = 0;
  for (uint64_t i = 0; i < cd.entries; ++i) {
    if (!Fits(at, kCentralHeaderSize, cd.size) || Get32(base + at) != kCentralHeaderSig) {
      return Corrupt("the central directory is truncated");
    }
    const char* h = base + at;
    CentralEntry e;
    e.host = static_cast<uint8_t>(Get16(h + 4) >> 8);
    e.flags = Get16(h + 8);
    e.method = Get16(h + 10);
    e.crc = Get32(h + 16);
    e.compressed = Get32(h + 20);
    e.size = Get32(h + 24);
    uint64_t name_len = Get16(h + 28);
    uint64_t extra_len = Get16(h + 30);
    uint64_t comment_len = Get16(h + 32);
    e.external = Get32(h + 38);
    e.local_offset = Get32(h + 42);
    uint64_t record = kCentralHeaderSize + name_len + extra_len + comment_len;
    if (!Fits(at, record, cd.size)) return Corrupt("the central directory is truncated");
    e.name.assign(h + kCentralHeaderSize, name_len);
    if (e.name.find('\0') != std::string::npos) {
      return Corrupt("an entry name contains a NUL byte");
    }
    std::string_view extra(h + kCentralHeaderSize + name_len, extra_len);
    STATOR_RETURN_IF_ERROR(ApplyZip64Extra(extra, e, e.size == kMax32, e.compressed == kMax32,
                                           e.local_offset == kMax32));
    at += record;
    entries.push_back(std::move(e));
  }

  // Local headers: each within the area before the central directory, its data after its own
  // name and extra field (their lengths may differ from the central directory's), and no two
  // entries sharing bytes (overlapping entries are how small archives claim huge contents).
  std::vector<std::pair<uint64_t, uint64_t>> ranges;  // [local header, end of data)
  ranges.reserve(entries.size());
  for (CentralEntry& e : entries) {
    if (!Fits(e.local_offset, kLocalHeaderSize, cd.offset) ||
        Get32(zip.data() + e.local_offset) != kLocalHeaderSig) {
      return Corrupt("the local header of '" + e.name + "' is missing (truncated archive?)");
    }
    const char* l = zip.data() + e.local_offset;
    e.data_offset = e.local_offset + kLocalHeaderSize + Get16(l + 26) + Get16(l + 28);
    if (!Fits(e.data_offset, e.compressed, cd.offset)) {
      return Corrupt("the data of '" + e.name + "' is truncated");
    }
    ranges.emplace_back(e.local_offset, e.data_offset + e.compressed);
  }
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i) {
    if (ranges[i].first < ranges[i - 1].second) return Corrupt("entries overlap");
  }
  return entries;
}

std::string MethodName(uint16_t method) {
  switch (method) {
    case 9:
      return "Deflate64";
    case 12:
      return "bzip2";
    case 14:
      return "LZMA";
    case 93:
      return "Zstandard";
    case 95:
      return "XZ";
    case 99:
      return "AES encryption";
    default:
      return "method " + std::to_string(method);
  }
}

// A relative path with no "..", "." or empty components (a trailing '/' marks a directory).
bool SafeRelativePath(std::string_view p) {
  if (p.empty() || p.front() == '/' || p.find('\\') != std::string_view::npos) return false;
  size_t start = 0;
  while (start < p.size()) {
    size_t slash = p.find('/', start);
    std::string_view part =
        p.substr(start, slash == std::string_view::npos ? p.npos : slash - start);
    if (part == ".." || (part.empty() && slash != std::string_view::npos) || part == ".") {
      return false;
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

Status WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Error{"IO", std::string("write failed: ") + strerror(errno)};
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

// Writes the entry's data to fd: stored bytes as they are, deflate ones inflated 64 KiB at a time
// and stopped at the first byte beyond the recorded size; then checks size and CRC-32.
Status WriteEntry(std::string_view zip, const CentralEntry& e, int fd) {
  std::string_view data = zip.substr(e.data_offset, e.compressed);
  uLong crc = crc32(0, nullptr, 0);
  auto larger = [&] { return Corrupt("entry " + e.name + " is larger than recorded"); };
  if (e.method == kMethodStored) {
    if (e.compressed != e.size) return Corrupt("corrupt entry " + e.name + " (sizes differ)");
    for (uint64_t at = 0; at < data.size(); at += kZlibChunk) {
      std::string_view part = data.substr(at, kZlibChunk);
      crc = crc32(crc, reinterpret_cast<const Bytef*>(part.data()), static_cast<uInt>(part.size()));
      STATOR_RETURN_IF_ERROR(WriteAll(fd, part.data(), part.size()));
    }
  } else if (e.size != 0 || e.compressed != 0) {  // (an empty entry may have no deflate data)
    z_stream z{};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK) return Corrupt("cannot start inflating " + e.name);
    struct InflateEnd {
      z_stream* z;
      ~InflateEnd() { inflateEnd(z); }
    } end{&z};
    std::vector<char> buf(1 << 16);
    uint64_t fed = 0;
    uint64_t written = 0;
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
      if (z.avail_in == 0 && fed < data.size()) {
        uint64_t n = std::min<uint64_t>(data.size() - fed, kZlibChunk);
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + fed));
        z.avail_in = static_cast<uInt>(n);
        fed += n;
      }
      z.next_out = reinterpret_cast<Bytef*>(buf.data());
      z.avail_out = static_cast<uInt>(buf.size());
      rc = inflate(&z, Z_NO_FLUSH);
      size_t got = buf.size() - z.avail_out;
      if (rc == Z_BUF_ERROR) {  // no progress: all the input is in and the stream goes on
        return Corrupt("corrupt entry " + e.name + " (its data ends early)");
      }
      if (rc != Z_OK && rc != Z_STREAM_END) return Corrupt("corrupt entry " + e.name);
      if (got > e.size - written) return larger();
      written += got;
      crc = crc32(crc, reinterpret_cast<const Bytef*>(buf.data()), static_cast<uInt>(got));
      STATOR_RETURN_IF_ERROR(WriteAll(fd, buf.data(), got));
    }
    if (written != e.size) return Corrupt("entry " + e.name + " is smaller than recorded");
  }
  if (crc != e.crc) return Corrupt("corrupt entry " + e.name + " (CRC-32 mismatch)");
  return Status::Ok();
}

// ---- Writing ----------------------------------------------------------------------------------

struct PackedEntry {
  std::string name;
  std::string data;  // as stored in the archive
  uint16_t method = kMethodStored;
  uint32_t crc = 0;
  uint64_t compressed = 0;
  uint64_t size = 0;
  uint32_t external = 0;
  uint64_t local_offset = 0;
};

// Raw deflate (no zlib header), level 6.
Result<std::string> Deflate(std::string_view in) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Invalid("cannot start deflating");
  }
  std::string out(deflateBound(&z, in.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());  // callers keep entries under 4 GiB
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return Invalid("cannot deflate");
  return out;
}

Result<PackedEntry> Pack(const ZipEntry& in) {
  if (in.path.empty() || in.path.size() > kMax16) {
    return Invalid("cannot add '" + in.path + "': bad name length");
  }
  if (in.content.size() >= kMax32) {
    return Invalid("cannot add " + in.path + ": files of 4 GiB or more are not supported");
  }
  PackedEntry p;
  p.name = in.path;
  p.size = in.content.size();
  bool dir = in.path.back() == '/';
  if (dir && !in.content.empty()) return Invalid("cannot add " + in.path + ": a folder has data");
  uint32_t mode = (dir ? S_IFDIR : S_IFREG) | (in.mode & 07777);
  p.external = (mode << 16) | (dir ? kDosDirectory : 0);
  p.crc = static_cast<uint32_t>(crc32(crc32(0, nullptr, 0),
                                      reinterpret_cast<const Bytef*>(in.content.data()),
                                      static_cast<uInt>(in.content.size())));
  if (!in.content.empty()) {
    STATOR_TRY(std::string deflated, Deflate(in.content));
    if (deflated.size() < in.content.size()) {
      p.method = kMethodDeflate;
      p.data = std::move(deflated);
    }
  }
  if (p.method == kMethodStored) p.data = in.content;
  p.compressed = p.data.size();
  return p;
}

uint16_t NameFlags(const std::string& name) {
  for (unsigned char c : name) {
    if (c >= 0x80) return kFlagUtf8;
  }
  return 0;
}

// The fields a local file header and a central directory header share, from "version needed
// to extract" to "extra field length" (APPNOTE 4.3.7 and 4.3.12).
void PutCommonHeader(std::string& out, const PackedEntry& p) {
  Put16(out, kVersion20);  // version needed to extract
  Put16(out, NameFlags(p.name));
  Put16(out, p.method);
  Put16(out, kDosTime);
  Put16(out, kDosDate);
  Put32(out, p.crc);
  Put32(out, static_cast<uint32_t>(p.compressed));
  Put32(out, static_cast<uint32_t>(p.size));
  Put16(out, static_cast<uint16_t>(p.name.size()));
  Put16(out, 0);  // extra field length
}

}  // namespace

Result<UnzipStats> ExtractZip(std::string_view zip, const std::string& dir, uint64_t max_bytes) {
  STATOR_TRY(CentralDirectory cd, FindCentralDirectory(zip));
  STATOR_TRY(std::vector<CentralEntry> entries, ReadEntries(zip, cd));
  UnzipStats stats;
  for (const CentralEntry& e : entries) {
    const std::string& name = e.name;
    if (!SafeRelativePath(name)) {
      return Invalid("Could not unzip uploaded file: the entry '" + name +
                     "' points outside the package");
    }
    mode_t mode = e.host == kHostUnix ? static_cast<mode_t>(e.external >> 16) : 0;
    fs::path target = fs::path(dir) / name;
    std::error_code ec;
    if (name.back() == '/' || S_ISDIR(mode)) {
      fs::create_directories(target, ec);
      if (ec) return Invalid("cannot create " + name + ": " + ec.message());
      continue;
    }
    if (S_ISLNK(mode)) continue;  // symbolic links are not unpacked (docs/functions.md)
    if (e.flags & (kFlagEncrypted | kFlagStrongEncryption | kFlagMaskedHeaders)) {
      return Corrupt("the entry " + name + " is encrypted (not supported)");
    }
    if (e.method != kMethodStored && e.method != kMethodDeflate) {
      return Corrupt("the entry " + name + " is compressed with " + MethodName(e.method) +
                     " (only stored and deflate entries are supported)");
    }
    fs::create_directories(target.parent_path(), ec);
    if (ec) return Invalid("cannot create the folder of " + name + ": " + ec.message());
    stats.bytes += e.size;
    if (e.size > max_bytes || stats.bytes > max_bytes) {
      return Invalid("Unzipped size must be smaller than " + std::to_string(max_bytes) + " bytes");
    }
    mode_t perm = (mode & 07777) ? (mode & 0777) : 0644;
    perm |= 0600;  // the owner can always read it
    int fd = open(target.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, perm);
    if (fd < 0) return Invalid("cannot create " + name + ": " + strerror(errno));
    Status s = WriteEntry(zip, e, fd);
    fchmod(fd, perm);  // not reduced by the umask
    close(fd);
    if (!s.ok()) return std::move(s).error();
    ++stats.files;
  }
  return stats;
}

Result<std::string> ZipDirectory(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Invalid("'" + dir + "' is not a directory");
  // Regular files (symbolic links to them are followed) and empty folders.
  std::vector<std::pair<std::string, fs::path>> items;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    std::error_code e2;
    if (it->is_regular_file(e2)) {
      items.emplace_back(fs::relative(it->path(), dir).generic_string(), it->path());
    } else if (it->is_directory(e2) && !it->is_symlink(e2) && fs::is_empty(it->path(), e2)) {
      items.emplace_back(fs::relative(it->path(), dir).generic_string() + "/", it->path());
    }
  }
  if (ec) return Invalid("cannot list '" + dir + "': " + ec.message());
  std::sort(items.begin(), items.end());
  std::vector<ZipEntry> entries;
  entries.reserve(items.size());
  for (const auto& [rel, path] : items) {
    ZipEntry e;
    e.path = rel;
    if (rel.back() == '/') {
      struct stat st;
      e.mode = stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0755;
      entries.push_back(std::move(e));
      continue;
    }
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Invalid("cannot read '" + path.string() + "': " + strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
      close(fd);
      return Invalid("cannot read '" + path.string() + "': " + strerror(errno));
    }
    e.mode = st.st_mode & 07777;
    char b[65536];
    for (;;) {
      ssize_t got = read(fd, b, sizeof b);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        std::string why = strerror(errno);
        close(fd);
        return Invalid("cannot read '" + path.string() + "': " + why);
      }
      if (got == 0) break;
      e.content.append(b, static_cast<size_t>(got));
    }
    close(fd);
    entries.push_back(std::move(e));
  }
  return ZipEntries(entries);
}

Result<std::string> ZipEntries(const std::vector<ZipEntry>& entries) {
  // A later entry with the same path replaces the earlier one, in its place.
  std::vector<PackedEntry> packed;
  std::unordered_map<std::string, size_t> index;
  for (const ZipEntry& in : entries) {
    STATOR_TRY(PackedEntry p, Pack(in));
    auto [it, fresh] = index.emplace(p.name, packed.size());
    if (fresh) {
      packed.push_back(std::move(p));
    } else {
      packed[it->second] = std::move(p);
    }
  }

  std::string out;
  for (PackedEntry& p : packed) {
    p.local_offset = out.size();
    if (p.local_offset >= kMax32) {
      return Invalid("cannot add " + p.name + ": zips of 4 GiB or more are not supported");
    }
    Put32(out, kLocalHeaderSig);
    PutCommonHeader(out, p);
    out += p.name;
    out += p.data;
    std::string().swap(p.data);
  }

  const uint64_t cd_offset = out.size();
  const uint64_t count = packed.size();
  for (const PackedEntry& p : packed) {
    Put32(out, kCentralHeaderSig);
    Put16(out, static_cast<uint16_t>((kHostUnix << 8) |
                                     kVersion20));  // version made by: Unix, APPNOTE 2.0
    PutCommonHeader(out, p);
    Put16(out, 0);  // comment length
    Put16(out, 0);  // disk number start
    Put16(out, 0);  // internal attributes
    Put32(out, p.external);
    Put32(out, static_cast<uint32_t>(p.local_offset));
    out += p.name;
  }
  const uint64_t cd_size = out.size() - cd_offset;

  // ZIP64 end records only when a field of the classic one overflows (more than 65,535 entries,
  // or a central directory at or beyond 4 GiB); readers then take the values from them.
  const bool zip64 = count >= kMax16 || cd_offset >= kMax32 || cd_size >= kMax32;
  if (zip64) {
    const uint64_t record = out.size();
    Put32(out, kZip64EocdSig);
    Put64(out, kZip64EocdSize - 12);  // the size of the rest of this record
    Put16(out, static_cast<uint16_t>((kHostUnix << 8) | kVersion45));
    Put16(out, kVersion45);
    Put32(out, 0);  // this disk
    Put32(out, 0);  // the disk where the central directory starts
    Put64(out, count);
    Put64(out, count);
    Put64(out, cd_size);
    Put64(out, cd_offset);
    Put32(out, kZip64LocatorSig);
    Put32(out, 0);  // the disk of the ZIP64 end record
    Put64(out, record);
    Put32(out, 1);  // disks in total
  }
  Put32(out, kEocdSig);
  Put16(out, 0);  // this disk
  Put16(out, 0);  // the disk where the central directory starts
  Put16(out, static_cast<uint16_t>(std::min<uint64_t>(count, kMax16)));
  Put16(out, static_cast<uint16_t>(std::min<uint64_t>(count, kMax16)));
  Put32(out, static_cast<uint32_t>(std::min<uint64_t>(cd_size, kMax32)));
  Put32(out, static_cast<uint32_t>(std::min<uint64_t>(cd_offset, kMax32)));
  Put16(out, 0);  // comment length
  return out;
}

}  // namespace stator::functions
