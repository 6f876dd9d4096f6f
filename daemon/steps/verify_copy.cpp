// What the two data operations do after the copy itself (issue 14, defects
// 0 and 11): every object of the migrated schemas on this system against
// the source's own list (ferry-peer reads it as local root, so an object
// the temporary account could not see is still on it), then the temporary
// account dropped at once: it had RELOAD and read access to every row.
#include <spdlog/spdlog.h>

#include "core/db_objects.hpp"
#include "mariadb/object_inventory.hpp"
#include "steps/steps.hpp"

namespace ferry::steps {

core::Expected<bool> verify_copied_objects(StepContext& ctx,
                                           const std::vector<std::string>& schemas)
{
    auto answer = ctx.peer.get("/db-objects");
    if (!answer)
        return answer.error();
    auto expected = core::inventory_from_json(*answer);
    if (!expected)
        return expected.error();
    auto db = local_database(ctx);
    if (!db)
        return db.error();
    auto here = source::read_object_inventory(*db, schemas);
    if (!here)
        return here.error();
    const auto differences = core::compare_inventories(*expected, *here);
    if (!differences.empty()) {
        for (const auto& d : differences)
            spdlog::error(
                "Object {} {}.{} {} on this system.", d.object.kind, d.object.schema, d.object.name,
                d.what == core::ObjectDifference::What::Missing ? "is missing"
                : d.what == core::ObjectDifference::What::Extra ? "is not on the source but"
                                                                : "differs from the source's");
        return core::object_mismatch_error(differences);
    }
    spdlog::info(
        "All {} objects of the copied schemas are on this system with the source's definitions.",
        expected->size());
    return true;
}

core::Expected<bool> drop_source_account(StepContext& ctx)
{
    if (auto r = ctx.peer.del("/db-account"); !r)
        return r.error();
    spdlog::info("The source's temporary MariaDB account is dropped.");
    return true;
}

} // namespace ferry::steps
