#include "source/peer_client.hpp"

#include "local/part_file.hpp"

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <curl/curl.h>
#include <deque>
#include <fcntl.h>
#include <memory>
#include <mutex>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <string_view>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

#include "protocol/peer_protocol.hpp"
#include "system/digest.hpp"
#include "system/fd.hpp"

namespace ferry::source {
namespace {

using nlohmann::json;
using CurlPtr = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;

struct CurlGlobal {
    CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

CurlPtr make_curl()
{
    static CurlGlobal global; // once, thread-safe (magic static)
    return CurlPtr(curl_easy_init(), &curl_easy_cleanup);
}

size_t append_body(char* data, size_t size, size_t n, void* userdata)
{
    auto* out = static_cast<std::string*>(userdata);
    // Peer answers are small JSON documents; a runaway answer is an error.
    if (out->size() + size * n > 16u << 20)
        return 0;
    out->append(data, size * n);
    return size * n;
}

core::Error transport_error(const std::string& address, CURLcode rc, const char* errbuf)
{
    const std::string detail = errbuf && *errbuf ? errbuf : curl_easy_strerror(rc);
    if (rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH)
        return core::Error{core::Code::IncompatibleSource,
                           "The source " + address +
                               " presented a different certificate than at Probe: " + detail + ".",
                           "If the source's certificate was replaced on purpose, acknowledge the "
                           "job and probe again; otherwise check who answers at this address."};
    return core::Error{core::Code::Unreachable,
                       "The ferry peer API of " + address + " does not answer: " + detail + ".",
                       "Check that the source is running and that port 443 is open."};
}

// sha256//base64 of the DER SubjectPublicKeyInfo of a PEM certificate, the
// format CURLOPT_PINNEDPUBLICKEY takes.
std::string pin_of_pem(const std::string& pem)
{
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    if (!bio)
        return {};
    std::unique_ptr<X509, decltype(&X509_free)> cert(
        PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
    if (!cert)
        return {};
    unsigned char* der = nullptr;
    const int len = i2d_PUBKEY(X509_get0_pubkey(cert.get()), &der);
    if (len <= 0)
        return {};
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(der, static_cast<size_t>(len), digest);
    OPENSSL_free(der);
    unsigned char b64[64] = {};
    EVP_EncodeBlock(b64, digest, SHA256_DIGEST_LENGTH);
    return "sha256//" + std::string(reinterpret_cast<char*>(b64));
}

void common_options(CURL* c, const PeerEndpoint& ep, std::chrono::milliseconds timeout,
                    char* errbuf)
{
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
    // Appliances use self-signed certificates: authenticity comes from the
    // pin, not from a CA.
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    if (!ep.pin.empty())
        curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, ep.pin.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    // A stalled connection is an error, not a hang: under 1 KB/s for
    // 12 x ProbeTimeoutSec (60 s by default), the bound of a request too.
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
                     std::max(1L, static_cast<long>(timeout.count()) * 12 / 1000));
}

} // namespace

core::Error peer_error(long status, const json& body)
{
    // Read leniently: json::value() would throw type_error for a hostile
    // answer, on a worker thread, and terminate ferryd.
    auto [name, message, remedy] = protocol::ErrorBody::from_json(body);
    core::Code code = core::Code::Internal;
    if (name == "AuthenticationFailed")
        code = core::Code::AuthenticationFailed;
    else if (name == "RateLimited")
        code = core::Code::RateLimited;
    else if (name == "InvalidArgument")
        code = core::Code::InvalidArgument;
    else if (name == "IncompatibleSource")
        code = core::Code::IncompatibleSource;
    else if (name == "ReplicationFailed")
        code = core::Code::ReplicationFailed;
    else if (name == "TlsRequired")
        code = core::Code::TlsRequired;
    else if (name == "InvalidToken")
        code = core::Code::ProbeExpired;
    return core::Error{code,
                       message.empty() ? "The source answered HTTP " + std::to_string(status) + "."
                                       : message,
                       remedy};
}

PeerClient::PeerClient(PeerEndpoint endpoint, std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)), timeout_(timeout)
{
}

CURL* PeerClient::handle()
{
    // One handle for the client's requests: its connection (and TLS
    // session) is reused, instead of a TCP and TLS handshake per request.
    if (!curl_)
        curl_ = make_curl().release();
    else
        curl_easy_reset(curl_);
    return curl_;
}

PeerClient::~PeerClient()
{
    if (curl_)
        curl_easy_cleanup(curl_);
}

PeerClient::PeerClient(PeerClient&& o) noexcept
    : endpoint_(std::move(o.endpoint_)), timeout_(o.timeout_), token_(std::move(o.token_)),
      curl_(std::exchange(o.curl_, nullptr))
{
}

std::string PeerClient::url(const std::string& path) const
{
    const bool v6 = endpoint_.address.find(':') != std::string::npos;
    return "https://" + (v6 ? "[" + endpoint_.address + "]" : endpoint_.address) + ":" +
           std::to_string(endpoint_.port) + "/ferry/v1" + path;
}

core::Expected<std::string> PeerClient::fetch_pin()
{
    auto c = make_curl();
    char errbuf[CURL_ERROR_SIZE] = {};
    PeerEndpoint unpinned = endpoint_;
    unpinned.pin.clear();
    common_options(c.get(), unpinned, timeout_, errbuf);
    curl_easy_setopt(c.get(), CURLOPT_URL, url("/").c_str());
    curl_easy_setopt(c.get(), CURLOPT_CERTINFO, 1L);
    curl_easy_setopt(c.get(), CURLOPT_NOBODY, 1L);
    curl_easy_setopt(c.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
    const CURLcode rc = curl_easy_perform(c.get());
    if (rc != CURLE_OK)
        return transport_error(endpoint_.address, rc, errbuf);
    curl_certinfo* info = nullptr;
    if (curl_easy_getinfo(c.get(), CURLINFO_CERTINFO, &info) != CURLE_OK || !info ||
        info->num_of_certs < 1)
        return core::Error{core::Code::IncompatibleSource,
                           "The source " + endpoint_.address + " presented no TLS certificate.",
                           {}};
    for (curl_slist* s = info->certinfo[0]; s; s = s->next)
        if (std::strncmp(s->data, "Cert:", 5) == 0)
            if (auto pin = pin_of_pem(s->data + 5); !pin.empty())
                return pin;
    return core::Error{core::Code::IncompatibleSource,
                       "The certificate of " + endpoint_.address + " cannot be read.",
                       {}};
}

core::Expected<json> PeerClient::request(const char* method, const std::string& path,
                                         const json* body, const std::string& extra_header)
{
    CURL* c = handle();
    char errbuf[CURL_ERROR_SIZE] = {};
    common_options(c, endpoint_, timeout_, errbuf);
    curl_easy_setopt(c, CURLOPT_URL, url(path).c_str());
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()) * 12);
    std::string payload = body ? body->dump() : std::string();
    std::string answer;
    std::string auth = token_.empty() ? std::string() : "Authorization: Bearer " + token_;
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Accept: application/json");
    if (!auth.empty())
        headers = curl_slist_append(headers, auth.c_str());
    if (!extra_header.empty())
        headers = curl_slist_append(headers, extra_header.c_str());
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> hold(headers, &curl_slist_free_all);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload.c_str());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(payload.size()));
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &append_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
    const CURLcode rc = curl_easy_perform(c);
    // The login body holds the password: wipe our copy at once.
    explicit_bzero(payload.data(), payload.size());
    explicit_bzero(auth.data(), auth.size());
    if (rc != CURLE_OK)
        return transport_error(endpoint_.address, rc, errbuf);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    return answer_json(status, answer, endpoint_.address);
}

core::Expected<json> answer_json(long status, std::string_view body, const std::string& address)
{
    json j = json::parse(body, nullptr, false);
    if (status < 200 || status >= 300)
        return peer_error(status, j);
    if (j.is_discarded())
        return core::Error{core::Code::IncompatibleSource,
                           "The source " + address + " answered with malformed JSON.",
                           {}};
    return j;
}

core::Expected<std::string> token_from_login(const json& r, const std::string& address)
{
    auto answer = protocol::LoginAnswer::from_json(r, address);
    if (!answer)
        return answer.error();
    return std::move(answer->token);
}

core::Expected<bool> PeerClient::login(const std::string& password, const std::string& also_from)
{
    json body{{protocol::LoginRequest::kPassword, password}};
    if (!also_from.empty())
        body[protocol::LoginRequest::kAlsoFrom] = also_from;
    auto r = request("POST", "/login", &body);
    // nlohmann strings cannot be wiped portably in place; overwrite it.
    body[protocol::LoginRequest::kPassword] = std::string(password.size(), '\0');
    if (!r)
        return r.error();
    auto token = token_from_login(*r, endpoint_.address);
    if (!token)
        return token.error();
    token_ = std::move(*token);
    return true;
}

core::Expected<json> PeerClient::get(const std::string& path)
{
    return request("GET", path, nullptr);
}
core::Expected<json> PeerClient::get_if_match(const std::string& path, const std::string& etag)
{
    return request("GET", path, nullptr, "If-Match: " + etag);
}
core::Expected<json> PeerClient::post(const std::string& path, const json& body)
{
    return request("POST", path, &body);
}
core::Expected<json> PeerClient::put(const std::string& path, const json& body)
{
    return request("PUT", path, &body);
}
core::Expected<json> PeerClient::del(const std::string& path)
{
    return request("DELETE", path, nullptr);
}

namespace {

// The download's file writer. The receiving thread (curl's callback) only
// copies the bytes into 1 MiB buffers; a writer thread hashes each buffer
// and writes it with O_DIRECT, so that the data goes to the disk while the
// download goes on, without the page cache: no copy into it, no write-back
// left for the final fdatasync, and the two threads share the work. Where
// O_DIRECT is not possible (a file system without it, an offset or a tail
// that is not block-aligned) the bytes are written through the page cache
// and their write-back started every few MiB.
constexpr size_t kBlock = 1u << 20; // one buffer; a multiple of kAlign
constexpr size_t kAlign = 4096;     // O_DIRECT alignment (offset, size, memory)
constexpr size_t kBuffers = 4;      // in flight at most
constexpr uint64_t kWritebackBlock = 8u << 20;

class FileWriter {
  public:
    FileWriter(int fd, int direct_fd, uint64_t offset, local::Sha256* hash)
        : fd_(fd), direct_fd_(direct_fd), position_(offset), written_back_(offset), hash_(hash)
    {
        for (size_t i = 0; i < kBuffers; ++i)
            if (void* p = std::aligned_alloc(kAlign, kBlock))
                free_.push_back(Buffer{static_cast<char*>(p), 0});
        if (free_.empty()) {
            error_ = ENOMEM;
            return;
        }
        current_ = free_.back();
        free_.pop_back();
        thread_ = std::thread([this] { run(); });
    }
    ~FileWriter()
    {
        finish_thread();
        std::free(current_.data);
        for (auto& b : free_)
            std::free(b.data);
        for (auto& b : full_)
            std::free(b.data);
    }
    FileWriter(const FileWriter&) = delete;
    FileWriter& operator=(const FileWriter&) = delete;

    // Receiving thread. False after a write error (error()).
    bool append(const char* data, size_t len)
    {
        if (!current_.data)
            return false;
        while (len > 0) {
            const size_t n = std::min(len, kBlock - current_.used);
            std::memcpy(current_.data + current_.used, data, n);
            current_.used += n;
            data += n;
            len -= n;
            if (current_.used == kBlock && !submit())
                return false;
        }
        return error() == 0;
    }

    // Writes what is left, waits for the writer, and makes it durable.
    // Also after an aborted transfer: what arrived is kept for a resume.
    core::Expected<bool> finish(const std::string& file)
    {
        if (current_.data && current_.used > 0)
            submit();
        finish_thread();
        if (error_ == 0 && ::fdatasync(fd_) < 0)
            error_ = errno;
        if (error_ != 0)
            return core::Error{core::Code::Internal,
                               "Cannot write " + file + ": " + std::strerror(error_) + ".",
                               "Check free space on this system."};
        return true;
    }

    int error()
    {
        std::lock_guard lock(mutex_);
        return error_;
    }

  private:
    struct Buffer {
        char* data = nullptr;
        size_t used = 0;
    };

    bool submit()
    {
        std::unique_lock lock(mutex_);
        full_.push_back(current_);
        current_ = Buffer{};
        cv_.notify_all();
        cv_.wait(lock, [this] { return !free_.empty() || error_ != 0 || !running_; });
        if (free_.empty())
            return false;
        current_ = free_.back();
        free_.pop_back();
        return error_ == 0;
    }

    void finish_thread()
    {
        {
            std::lock_guard lock(mutex_);
            quit_ = true;
        }
        cv_.notify_all();
        if (thread_.joinable())
            thread_.join();
    }

    void run()
    {
        std::unique_lock lock(mutex_);
        for (;;) {
            cv_.wait(lock, [this] { return !full_.empty() || quit_; });
            if (full_.empty())
                break;
            Buffer b = full_.front();
            full_.pop_front();
            const bool ok = error_ == 0;
            lock.unlock();
            const int err = ok ? write(b) : 0;
            lock.lock();
            if (err != 0 && error_ == 0)
                error_ = err;
            b.used = 0;
            free_.push_back(b);
            cv_.notify_all();
        }
        running_ = false;
        cv_.notify_all();
    }

    // Writer thread: hash, then write at position_; 0 or an errno.
    int write(const Buffer& b)
    {
        if (hash_ && !hash_->update(b.data, b.used))
            return EIO;
        size_t done = 0;
        while (done < b.used) {
            const size_t left = b.used - done;
            const size_t aligned = left & ~(kAlign - 1);
            const bool direct = direct_fd_ >= 0 && aligned > 0 && position_ % kAlign == 0;
            const ssize_t w = ::pwrite(direct ? direct_fd_ : fd_, b.data + done,
                                       direct ? aligned : left, static_cast<off_t>(position_));
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                if (direct && errno == EINVAL) { // O_DIRECT refused after all
                    direct_fd_ = -1;
                    continue;
                }
                return errno;
            }
            done += static_cast<size_t>(w);
            position_ += static_cast<uint64_t>(w);
            if (!direct)
                buffered_ = true;
        }
        if (buffered_ && position_ - written_back_ >= kWritebackBlock) {
            // Starts the write-back of what went through the page cache.
            ::sync_file_range(fd_, static_cast<off_t>(written_back_),
                              static_cast<off_t>(position_ - written_back_), SYNC_FILE_RANGE_WRITE);
            written_back_ = position_;
        }
        return 0;
    }

    const int fd_;
    int direct_fd_;         // writer thread only
    uint64_t position_;     // writer thread only
    uint64_t written_back_; // writer thread only
    bool buffered_ = false; // writer thread only
    local::Sha256* hash_;

    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<Buffer> full_;
    std::vector<Buffer> free_;
    Buffer current_; // receiving thread only
    int error_ = 0;
    bool quit_ = false;
    bool running_ = true;
    std::thread thread_;
};

struct DownloadSink {
    FileWriter* writer;
    std::function<bool(uint64_t)>* on_bytes;
    uint64_t received = 0;
};

size_t write_file(char* data, size_t size, size_t n, void* userdata)
{
    auto* sink = static_cast<DownloadSink*>(userdata);
    const size_t len = size * n;
    if (!sink->writer->append(data, len))
        return 0;
    sink->received += len;
    if (*sink->on_bytes && !(*sink->on_bytes)(len))
        return 0;
    return len;
}

size_t read_etag(char* data, size_t size, size_t n, void* userdata)
{
    const std::string_view line(data, size * n);
    constexpr std::string_view kName = "etag:";
    if (line.size() > kName.size() &&
        std::equal(kName.begin(), kName.end(), line.begin(), [](char a, char b) {
            return a == std::tolower(static_cast<unsigned char>(b));
        })) {
        std::string_view v = line.substr(kName.size());
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
            v.remove_prefix(1);
        while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' '))
            v.remove_suffix(1);
        *static_cast<std::string*>(userdata) = std::string(v);
    }
    return size * n;
}

} // namespace

core::Expected<uint64_t> PeerClient::download(const std::string& path, int fd,
                                              const std::string& file, uint64_t offset,
                                              std::function<bool(uint64_t)> on_bytes,
                                              local::Sha256* hash, std::string* etag)
{
    if (::ftruncate(fd, static_cast<off_t>(offset)) < 0 ||
        ::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0)
        return core::Error{core::Code::Internal,
                           "Cannot write " + file + ": " + std::strerror(errno) + ".",
                           "Check free space on this system."};
    CURL* c = handle();
    char errbuf[CURL_ERROR_SIZE] = {};
    common_options(c, endpoint_, timeout_, errbuf);
    curl_easy_setopt(c, CURLOPT_URL, url(path).c_str());
    std::string auth = "Authorization: Bearer " + token_;
    curl_slist* headers = curl_slist_append(nullptr, auth.c_str());
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> hold(headers, &curl_slist_free_all);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    if (offset > 0)
        curl_easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, static_cast<curl_off_t>(offset));
    // O_DIRECT where the file system has it (tmpfs has not: then the page
    // cache), from a block-aligned offset only.
    local::Fd direct;
    if (offset % kAlign == 0)
        direct = local::reopen_direct(fd);
    FileWriter writer(fd, direct.get(), offset, hash);
    DownloadSink sink{&writer, &on_bytes};
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &write_file);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    std::string answer_etag;
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &read_etag);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &answer_etag);
    curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 256L * 1024);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    const CURLcode rc = curl_easy_perform(c);
    explicit_bzero(auth.data(), auth.size());
    // What arrived is written (and synced) even when the transfer broke: a
    // retry resumes after it.
    if (auto w = writer.finish(file); !w)
        return w.error();
    if (rc != CURLE_OK)
        return transport_error(endpoint_.address, rc, errbuf);
    if (etag)
        *etag = std::move(answer_etag);
    return offset + sink.received;
}

} // namespace ferry::source
