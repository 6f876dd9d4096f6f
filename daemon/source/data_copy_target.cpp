// The target's side before the rows (data_copy_engine.hpp): schemas,
// tables and the objects that do not hold rows.
#include "source/data_copy_engine.hpp"

#include "core/ddl_check.hpp"

namespace ferry::source::copy_detail {

core::Expected<bool> Engine::prepare_target()
{
    MariaDbConnection& c = *ddl_;
    for (const auto& [schema, create] : databases_) {
        const std::string qs = quote_identifier(schema);
        if (!use_checkpoint_) {
            if (auto r = c.execute("DROP DATABASE IF EXISTS " + qs); !r)
                return r;
            if (auto r = c.execute(create); !r)
                return r;
        } else {
            std::string ine = create;
            if (ine.rfind("CREATE DATABASE ", 0) == 0)
                ine.insert(16, "IF NOT EXISTS ");
            if (auto r = c.execute(ine); !r)
                return r;
            // Keep the finished tables, drop everything else: objects are
            // re-created at the end, unfinished tables are re-created below.
            const std::string lit = quote_literal(schema);
            auto objs = c.query(
                "SELECT 'TRIGGER', TRIGGER_NAME FROM information_schema.TRIGGERS WHERE "
                "TRIGGER_SCHEMA=" +
                lit +
                " UNION ALL SELECT ROUTINE_TYPE, ROUTINE_NAME FROM information_schema.ROUTINES "
                "WHERE ROUTINE_SCHEMA=" +
                lit +
                " UNION ALL SELECT 'EVENT', EVENT_NAME FROM information_schema.EVENTS WHERE "
                "EVENT_SCHEMA=" +
                lit +
                " UNION ALL SELECT IF(TABLE_TYPE='BASE TABLE','TABLE',TABLE_TYPE), TABLE_NAME FROM "
                "information_schema.TABLES WHERE TABLE_SCHEMA=" +
                lit);
            if (!objs)
                return objs.error();
            for (const auto& r : *objs) {
                const std::string kind = r[0].value_or("");
                const std::string name = r[1].value_or("");
                if (kind == "TABLE" && checkpoint_.done.count(table_key(schema, name)))
                    continue;
                const std::string what = kind == "SYSTEM VERSIONED" ? "TABLE" : kind;
                if (auto d = c.execute("DROP " + what + " IF EXISTS " + qs + "." +
                                       quote_identifier(name));
                    !d)
                    return d;
            }
        }
    }
    for (auto& t : tables_) {
        if (t->from_checkpoint)
            continue;
        if (auto r = c.execute("USE " + quote_identifier(t->schema)); !r)
            return r;
        if (auto r = c.execute(t->create_sql); !r)
            return r;
    }
    return true;
}

core::Expected<bool> Engine::create_objects()
{
    MariaDbConnection& c = *ddl_;
    auto in_mode = [&](const Object& o, const std::string& stmt) -> core::Expected<bool> {
        if (auto r = c.execute("USE " + quote_identifier(o.schema)); !r)
            return r;
        if (auto r = c.execute("SET SESSION sql_mode=" + quote_literal(o.sql_mode)); !r)
            return r;
        if (!o.time_zone.empty())
            if (auto r = c.execute("SET SESSION time_zone=" + quote_literal(o.time_zone)); !r)
                return r;
        auto r = c.execute(stmt);
        auto r2 = c.execute("SET SESSION sql_mode='" + std::string(kTargetSqlMode) +
                            "', time_zone='+00:00'");
        if (!r)
            return r;
        return r2;
    };
    // Sequences (their current value too), then routines, then views: a
    // view may call a stored function (MariaDB resolves it when the view is
    // created: views first failed with "FUNCTION ... does not exist", found
    // by containers-mixed-swap), a routine's body is resolved only when it
    // runs; a view may use another, so views are created in passes until
    // no progress. Triggers and events last.
    for (const auto& o : objects_) {
        if (o.kind != Object::Kind::Sequence)
            continue;
        const std::string q = quote_identifier(o.schema) + "." + quote_identifier(o.name);
        if (auto r = in_mode(o, o.create_sql); !r)
            return r;
        if (auto r = c.execute("SELECT SETVAL(" + q + ", " + o.sequence_next + ", 0)"); !r)
            return r;
    }
    for (const auto& o : objects_) {
        if (o.kind != Object::Kind::Routine)
            continue;
        if (auto r = in_mode(o, o.create_sql); !r)
            return r;
    }
    std::vector<const Object*> views;
    for (const auto& o : objects_)
        if (o.kind == Object::Kind::View)
            views.push_back(&o);
    while (!views.empty()) {
        std::vector<const Object*> failed;
        std::optional<core::Error> last;
        for (const Object* o : views) {
            if (auto r = in_mode(*o, o->create_sql); !r) {
                failed.push_back(o);
                last = r.error();
            }
        }
        if (failed.size() == views.size())
            return *last;
        views = std::move(failed);
    }
    for (auto kind : {Object::Kind::Trigger, Object::Kind::Event}) {
        for (const auto& o : objects_) {
            if (o.kind != kind)
                continue;
            if (auto r = in_mode(o, o.create_sql); !r)
                return r;
        }
    }
    return true;
}

} // namespace ferry::source::copy_detail
