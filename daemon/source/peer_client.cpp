#include "source/peer_client.hpp"

#include "local/part_file.hpp"
#include "source/download_writer.hpp"

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
    if (offset % FileWriter::kAlign == 0)
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
