// Test helper for tests/integration/peer.sh: logs in to a MariaDB server
// over TCP from a chosen local address (the mariadb client cannot bind its
// source address), the way the target's ferryd connects with a temporary
// account, and runs one statement.
//
//   db-login HOST PORT BIND_ADDRESS USER tls|plain SQL
//
// The password is read from $FERRY_DB_PASSWORD. Prints the rows, fields
// separated by tabs. Exit 0 ok, 2 connection refused, 3 statement failed,
// 1 usage.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mysql.h>
#include <string>

int main(int argc, char** argv)
{
    if (argc != 7 || (std::strcmp(argv[5], "tls") != 0 && std::strcmp(argv[5], "plain") != 0)) {
        std::fprintf(stderr, "usage: db-login HOST PORT BIND_ADDRESS USER tls|plain SQL\n");
        return 1;
    }
    const char* password = std::getenv("FERRY_DB_PASSWORD");
    MYSQL* m = mysql_init(nullptr);
    const unsigned timeout = 5;
    mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_optionsv(m, MYSQL_OPT_BIND, argv[3]);
    if (std::strcmp(argv[5], "tls") == 0) {
        const my_bool no = 0;
        mysql_ssl_set(m, nullptr, nullptr, nullptr, nullptr, nullptr);
        mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &no);
    }
    if (!mysql_real_connect(m, argv[1], argv[4], password ? password : "", nullptr,
                            static_cast<unsigned>(std::atoi(argv[2])), nullptr, 0)) {
        std::fprintf(stderr, "connect: %u %s\n", mysql_errno(m), mysql_error(m));
        mysql_close(m);
        return 2;
    }
    if (mysql_query(m, argv[6]) != 0) {
        std::fprintf(stderr, "query: %u %s\n", mysql_errno(m), mysql_error(m));
        mysql_close(m);
        return 3;
    }
    if (MYSQL_RES* r = mysql_store_result(m)) {
        const unsigned n = mysql_num_fields(r);
        while (MYSQL_ROW row = mysql_fetch_row(r)) {
            for (unsigned i = 0; i < n; ++i)
                std::printf("%s%s", i ? "\t" : "", row[i] ? row[i] : "NULL");
            std::printf("\n");
        }
        mysql_free_result(r);
    }
    const char* cipher = mysql_get_ssl_cipher(m);
    std::fprintf(stderr, "tls: %s\n", cipher ? cipher : "none");
    mysql_close(m);
    return 0;
}
