// What the fuzz targets share: a property check that aborts (libFuzzer
// then keeps the input as a crash and the run fails), and a reader that
// splits one input into the several fields a target needs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

// A property of the code under test that does not hold: report and abort.
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            std::fprintf(stderr, "%s:%d: property does not hold: %s\n", __FILE__, __LINE__,        \
                         #cond);                                                                   \
            std::abort();                                                                          \
        }                                                                                          \
    } while (0)

namespace ferry::fuzz {

// The input as fields separated by a NUL byte (the seeds are written that
// way); a missing field is empty. `rest()` is everything not yet taken.
class Fields {
  public:
    Fields(const uint8_t* data, std::size_t size) : text_(reinterpret_cast<const char*>(data), size)
    {
    }
    std::string next()
    {
        const auto nul = text_.find('\0');
        std::string out(text_.substr(0, nul));
        text_ = nul == std::string_view::npos ? std::string_view{} : text_.substr(nul + 1);
        return out;
    }
    // One byte as a small number (0 when the input is used up).
    unsigned byte()
    {
        if (text_.empty())
            return 0;
        const auto b = static_cast<unsigned char>(text_.front());
        text_.remove_prefix(1);
        return b;
    }
    std::string rest()
    {
        std::string out(text_);
        text_ = {};
        return out;
    }

  private:
    std::string_view text_;
};

} // namespace ferry::fuzz
