#include "peer/server.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <microhttpd.h>
#include <optional>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "system/digest.hpp"
#include "peer/http.hpp"

namespace ferry::peer {
namespace {

constexpr unsigned kThreads = 2;
constexpr unsigned kConnectionTimeoutSec = 60;
constexpr unsigned kConnectionLimit = 64;
constexpr unsigned kPerAddressLimit = 16;
// TLS 1.2 and 1.3 only.
constexpr const char* kPriorities = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2";

// What libmicrohttpd keeps per request between the calls of the handler.
struct Upload {
    std::string body;
    bool too_large = false;
    bool answered = false;
    std::function<void()> after_sent; // Response::after_sent
    ~Upload() { wipe(body); }
};

void mhd_log(void*, const char* fmt, va_list ap)
{
    char buf[512];
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    std::string s = buf;
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
        s.pop_back();
    spdlog::warn("libmicrohttpd: {}", s);
}

void completed(void*, MHD_Connection*, void** con_cls, MHD_RequestTerminationCode how)
{
    auto* up = static_cast<Upload*>(*con_cls);
    *con_cls = nullptr;
    // Only when the whole answer went out: a client that did not get it
    // asks again.
    if (up && up->after_sent && how == MHD_REQUEST_TERMINATED_COMPLETED_OK) {
        try {
            up->after_sent();
        } catch (const std::exception& e) {
            spdlog::error("After an answer: {}", e.what());
        }
    }
    delete up;
}

// A file answer read by libmicrohttpd through this reader (pread, so the
// file offset does not matter), in blocks of kFileBlock. With TLS,
// libmicrohttpd cannot sendfile() anyway; its own fd answers read 4 KiB at
// a time. When asked, the bytes are hashed as they are read: libmicrohttpd
// asks for them in order, each once.
constexpr size_t kFileBlock = 256 * 1024;

struct FileBody {
    local::Fd fd;
    uint64_t offset = 0; // of the answer's first byte in the file
    uint64_t length = 0;
    std::optional<local::Sha256> hash;
    std::function<void(const std::string&, int)> sent_sha256;
};

ssize_t read_file_body(void* cls, uint64_t pos, char* buf, size_t max)
{
    auto* body = static_cast<FileBody*>(cls);
    if (pos >= body->length)
        return MHD_CONTENT_READER_END_OF_STREAM;
    const size_t want = static_cast<size_t>(std::min<uint64_t>(max, body->length - pos));
    ssize_t n;
    do
        n = ::pread(body->fd.get(), buf, want, static_cast<off_t>(body->offset + pos));
    while (n < 0 && errno == EINTR);
    if (n <= 0) { // an error, or the file shrank: the client sees a short answer
        spdlog::warn("A file answer ended early at byte {} of {}: {}", pos, body->length,
                     n < 0 ? std::strerror(errno) : "the file is shorter");
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    if (body->hash) {
        if (body->hash->bytes() != pos || !body->hash->update(buf, static_cast<size_t>(n))) {
            body->hash.reset(); // not in order after all: no digest
        } else if (body->hash->bytes() == body->length) {
            const std::string hex = body->hash->hex();
            body->hash.reset();
            if (!hex.empty() && body->sent_sha256) {
                try {
                    body->sent_sha256(hex, body->fd.get());
                } catch (const std::exception& e) {
                    spdlog::error("After hashing a file answer: {}", e.what());
                }
            }
        }
    }
    return n;
}

void free_file_body(void* cls) { delete static_cast<FileBody*>(cls); }

std::string header(MHD_Connection* c, const char* name)
{
    const char* v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
    return v ? v : "";
}

std::string client_of(MHD_Connection* c)
{
    const MHD_ConnectionInfo* ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return ci ? address_text(ci->client_addr) : std::string();
}

MHD_Result queue(MHD_Connection* c, Response& r)
{
    MHD_Response* m = nullptr;
    if (r.file && r.length > 0) {
        auto* body = new FileBody{std::move(r.file->fd), r.offset, r.length, std::nullopt,
                                  std::move(r.sent_sha256)};
        if (body->sent_sha256 && body->offset == 0 && body->length == r.file->size)
            body->hash.emplace();
        m = MHD_create_response_from_callback(r.length, kFileBlock, &read_file_body, body,
                                              &free_file_body);
        if (!m)
            delete body;
    } else {
        m = MHD_create_response_from_buffer(r.body.size(), r.body.data(), MHD_RESPMEM_MUST_COPY);
    }
    if (!m)
        return MHD_NO;
    MHD_add_response_header(m, MHD_HTTP_HEADER_CONTENT_TYPE, r.content_type.c_str());
    if (r.content_type == "application/json")
        MHD_add_response_header(m, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    for (const auto& [k, v] : r.headers)
        MHD_add_response_header(m, k.c_str(), v.c_str());
    const MHD_Result q = MHD_queue_response(c, r.status, m);
    MHD_destroy_response(m);
    wipe(r.body); // may hold a token or a password
    return q;
}

// A decoded path may hold anything (%0a...): printable ASCII only in the log.
std::string printable(std::string_view s)
{
    std::string out;
    for (char c : s.substr(0, 256))
        out += (c >= 0x20 && c < 0x7f) ? c : '?';
    return out;
}

void access_log(const Request& req, const Response& resp)
{
    // Never the body or the headers: they carry the password and tokens.
    const std::string path = printable(req.path), method = printable(req.method);
    if (resp.status >= 500)
        spdlog::error("{} {} from {}: {} {}", method, path, req.client, resp.status, resp.error);
    else
        spdlog::info("{} {} from {}: {}{}{}", method, path, req.client, resp.status,
                     resp.error.empty() ? "" : " ", resp.error);
}

MHD_Result handle_https(Server* server, MHD_Connection* c, const char* url, const char* method,
                        const char* data, size_t* size, void** con_cls)
{
    auto* up = static_cast<Upload*>(*con_cls);
    if (!up) {
        up = new Upload;
        *con_cls = up;
        const std::string length = header(c, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (!length.empty() && std::strtoull(length.c_str(), nullptr, 10) > kMaxBodyBytes)
            up->too_large = true;
        return MHD_YES;
    }
    if (*size > 0) {
        if (!up->too_large && up->body.size() + *size <= kMaxBodyBytes) {
            up->body.append(data, *size);
        } else if (!up->too_large) {
            up->too_large = true;
            wipe(up->body);
        }
        *size = 0;
        return MHD_YES;
    }
    if (up->answered)
        return MHD_YES;
    up->answered = true;

    Request req;
    req.method = method;
    req.path = url;
    req.client = client_of(c);
    Response resp;
    if (up->too_large) {
        resp = error_response(413, "InvalidArgument",
                              "The request body is larger than " +
                                  std::to_string(kMaxBodyBytes >> 20) + " MiB.");
    } else {
        req.authorization = header(c, MHD_HTTP_HEADER_AUTHORIZATION);
        req.range = header(c, MHD_HTTP_HEADER_RANGE);
        req.if_range = header(c, MHD_HTTP_HEADER_IF_RANGE);
        req.if_match = header(c, MHD_HTTP_HEADER_IF_MATCH);
        req.body = std::move(up->body);
        resp = server->api().handle(req);
        wipe(req.authorization);
        up->after_sent = std::move(resp.after_sent);
    }
    access_log(req, resp);
    return queue(c, resp);
}

MHD_Result on_https(void* cls, MHD_Connection* c, const char* url, const char* method, const char*,
                    const char* data, size_t* size, void** con_cls)
{
    // Nothing may unwind into libmicrohttpd (C): a failure closes the
    // connection.
    try {
        return handle_https(static_cast<Server*>(cls), c, url, method, data, size, con_cls);
    } catch (const std::exception& e) {
        spdlog::error("{} {}: {}", printable(method), printable(url), e.what());
        return MHD_NO;
    }
}

MHD_Result handle_http(const Server* server, MHD_Connection* c, const char* url, const char* method,
                       size_t* size, void** con_cls)
{
    auto* up = static_cast<Upload*>(*con_cls);
    if (!up) {
        *con_cls = new Upload;
        return MHD_YES;
    }
    if (*size > 0) { // a body is read and dropped
        *size = 0;
        return MHD_YES;
    }
    if (up->answered)
        return MHD_YES;
    up->answered = true;

    // The address this connection came in on, for clients without Host:.
    std::string local;
    if (const MHD_ConnectionInfo* ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD)) {
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        if (::getsockname(ci->connect_fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0)
            local = address_text(reinterpret_cast<sockaddr*>(&ss));
    }
    const std::string location =
        redirect_location(header(c, MHD_HTTP_HEADER_HOST), local, server->redirect_port(), url);
    Response resp;
    resp.status = 301;
    resp.content_type = "text/plain";
    resp.body = "Moved to " + location + "\n";
    resp.headers.emplace_back(MHD_HTTP_HEADER_LOCATION, location);
    spdlog::debug("{} {} from {}: 301 to {}", printable(method), printable(url), client_of(c),
                  printable(location));
    return queue(c, resp);
}

MHD_Result on_http(void* cls, MHD_Connection* c, const char* url, const char* method, const char*,
                   const char*, size_t* size, void** con_cls)
{
    try {
        return handle_http(static_cast<const Server*>(cls), c, url, method, size, con_cls);
    } catch (const std::exception& e) {
        spdlog::error("{} {}: {}", printable(method), printable(url), e.what());
        return MHD_NO;
    }
}

uint16_t local_port(int fd)
{
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0)
        return 0;
    return address_port(reinterpret_cast<sockaddr*>(&ss));
}

} // namespace

core::Expected<bool> Server::start_https(int listen_fd, std::string cert_pem, std::string key_pem)
{
    cert_ = std::move(cert_pem);
    key_ = std::move(key_pem);
    if (const uint16_t p = local_port(listen_fd))
        https_port_ = p;
    // clang-format off
    https_ = MHD_start_daemon(
        MHD_USE_TLS | MHD_USE_ITC | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG, 0,
        nullptr, nullptr, &on_https, this,
        MHD_OPTION_EXTERNAL_LOGGER, &mhd_log, nullptr, // first, or early messages go to stderr
        MHD_OPTION_LISTEN_SOCKET, listen_fd,
        MHD_OPTION_HTTPS_MEM_CERT, cert_.c_str(),
        MHD_OPTION_HTTPS_MEM_KEY, key_.c_str(),
        MHD_OPTION_HTTPS_PRIORITIES, kPriorities,
        MHD_OPTION_THREAD_POOL_SIZE, kThreads,
        MHD_OPTION_CONNECTION_TIMEOUT, kConnectionTimeoutSec,
        MHD_OPTION_CONNECTION_LIMIT, kConnectionLimit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, kPerAddressLimit,
        MHD_OPTION_NOTIFY_COMPLETED, &completed, nullptr,
        MHD_OPTION_END);
    // clang-format on
    // The key is in GnuTLS now; no second copy stays in this process.
    wipe(key_);
    if (!https_) {
        ::close(listen_fd);
        return core::Error{core::Code::Internal,
                           "Cannot start the HTTPS server (is the certificate/key pair valid?).",
                           "Check Certificate= and Key= in [Peer] of ferry.conf."};
    }
    return true;
}

core::Expected<bool> Server::start_redirect(int listen_fd, uint16_t https_port)
{
    redirect_port_ = https_port;
    // clang-format off
    http_ = MHD_start_daemon(
        MHD_USE_ITC | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG, 0,
        nullptr, nullptr, &on_http, this,
        MHD_OPTION_EXTERNAL_LOGGER, &mhd_log, nullptr,
        MHD_OPTION_LISTEN_SOCKET, listen_fd,
        MHD_OPTION_CONNECTION_TIMEOUT, 10u,
        MHD_OPTION_CONNECTION_LIMIT, kConnectionLimit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, kPerAddressLimit,
        MHD_OPTION_NOTIFY_COMPLETED, &completed, nullptr,
        MHD_OPTION_END);
    // clang-format on
    if (!http_) {
        ::close(listen_fd);
        return core::Error{core::Code::Internal, "Cannot start the port-80 redirect.", {}};
    }
    return true;
}

void Server::stop()
{
    // The listening sockets are systemd's: quiesce first, so that
    // MHD_stop_daemon does not shutdown() them under the next instance.
    for (MHD_Daemon* d : {http_, https_}) {
        if (!d)
            continue;
        MHD_socket fd = MHD_quiesce_daemon(d);
        MHD_stop_daemon(d);
        if (fd != MHD_INVALID_SOCKET)
            ::close(fd);
    }
    http_ = https_ = nullptr;
}

} // namespace ferry::peer
