// The certificate the source's MariaDB presents on its port, as digests
// ferryd pins (issue 14, defect 1: 3306 neither required TLS nor pinned).
// ferry-peer runs as root beside the server, so it reads the file the
// server's @@ssl_cert names (relative paths are relative to @@datadir) and
// hashes its first certificate, the one the server presents. If the file
// was replaced after the server started (without FLUSH SSL), the server
// still presents the old one: the target's pin then fails with
// CertificateMismatch, never with a connection to an unchecked peer.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "system/digest.hpp"
#include "peer/database.hpp"

namespace ferry::peer {

namespace {

core::Error no_tls(const std::string& why)
{
    return core::Error{core::Code::TlsRequired,
                       "The source's MariaDB offers no TLS certificate to pin (" + why +
                           "); the data copy requires TLS on its port.",
                       "Configure ssl_cert and ssl_key for MariaDB on the source, restart it, then "
                       "Resume() on the target."};
}

} // namespace

core::Expected<ServerCertificate> server_certificate(MYSQL* m)
{
    const std::string sql = "SELECT @@have_ssl, @@ssl_cert, @@datadir";
    if (mysql_real_query(m, sql.data(), sql.size()) != 0)
        return core::Error{core::Code::Internal,
                           std::string("Cannot ask MariaDB for its TLS certificate: ") +
                               mysql_error(m) + ".",
                           {}};
    std::unique_ptr<MYSQL_RES, decltype(&mysql_free_result)> res(mysql_store_result(m),
                                                                 &mysql_free_result);
    MYSQL_ROW row = res ? mysql_fetch_row(res.get()) : nullptr;
    if (!row)
        return core::Error{core::Code::Internal, "Cannot ask MariaDB for its TLS certificate.", {}};
    const std::string have = row[0] ? row[0] : "";
    std::string file = row[1] ? row[1] : "";
    const std::string datadir = row[2] ? row[2] : "";
    if (have != "YES")
        return no_tls("have_ssl=" + have);
    if (file.empty())
        return no_tls("no ssl_cert");
    if (std::filesystem::path(file).is_relative())
        file = (std::filesystem::path(datadir) / file).string();

    std::unique_ptr<FILE, decltype(&fclose)> in(fopen(file.c_str(), "re"), &fclose);
    if (!in)
        return no_tls("cannot read " + file);
    std::unique_ptr<X509, decltype(&X509_free)> cert(
        PEM_read_X509(in.get(), nullptr, nullptr, nullptr), &X509_free);
    if (!cert)
        return no_tls(file + " holds no PEM certificate");
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n256 = 0, n1 = 0;
    std::string sha256, sha1;
    if (X509_digest(cert.get(), EVP_sha256(), md, &n256))
        sha256 = local::to_hex(md, n256);
    if (X509_digest(cert.get(), EVP_sha1(), md, &n1))
        sha1 = local::to_hex(md, n1);
    if (sha256.size() != 64 || sha1.size() != 40)
        return core::Error{core::Code::Internal, "Cannot hash the certificate " + file + ".", {}};
    // The same certificate in PEM, exactly the one hashed (not the file,
    // which may hold a chain or a key after it).
    std::string pem;
    if (std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
        bio && PEM_write_bio_X509(bio.get(), cert.get()) == 1) {
        char* data = nullptr;
        const long n = BIO_get_mem_data(bio.get(), &data);
        if (n > 0 && data)
            pem.assign(data, static_cast<std::size_t>(n));
    }
    return ServerCertificate{sha256, sha1, pem};
}

} // namespace ferry::peer
