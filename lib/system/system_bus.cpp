#include "system/system_bus.hpp"

#include <cstdlib>
#include <cstring>

namespace ferry::local {

core::Expected<SystemBus> SystemBus::open()
{
    sd_bus* raw = nullptr;
    if (int r = sd_bus_open_system(&raw); r < 0)
        return core::Error{core::Code::Internal, std::strerror(-r), {}};
    return SystemBus(raw);
}

BusReply SystemBus::make_call(const BusTarget& to, const char* method, Message& call) const
{
    BusReply out;
    sd_bus_message* m = nullptr;
    out.r =
        sd_bus_message_new_method_call(bus_.get(), &m, to.service, to.path, to.interface, method);
    call.reset(m);
    return out;
}

BusReply SystemBus::send(const Message& call) const
{
    BusReply out;
    sd_bus_message* reply = nullptr;
    out.r = sd_bus_call(bus_.get(), call.get(), 0, &out.error.e, &reply);
    out.message.reset(reply);
    return out;
}

BusReply SystemBus::property(const BusTarget& object, const char* name, std::string& value) const
{
    BusReply out;
    char* s = nullptr;
    out.r = sd_bus_get_property_string(bus_.get(), object.service, object.path, object.interface,
                                       name, &out.error.e, &s);
    if (s) {
        value = s;
        std::free(s);
    }
    return out;
}

BusReply SystemBus::property(const BusTarget& object, const char* name, uint64_t& value) const
{
    BusReply out;
    out.r = sd_bus_get_property_trivial(bus_.get(), object.service, object.path, object.interface,
                                        name, &out.error.e, 't', &value);
    return out;
}

void SystemBus::set_call_timeout(uint64_t usec) const
{
    sd_bus_set_method_call_timeout(bus_.get(), usec);
}

} // namespace ferry::local
