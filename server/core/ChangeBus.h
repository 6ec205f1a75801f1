#pragma once
// "Something changed" for everyone who shows or caches it: a record (entity and ids), the tool
// list (entity overrides), a setting (the rollback switch). Writers publish; the server relays
// changes to subscribed clients (resources/updated, list_changed). The in-process bus serves one
// node; a shared-database bus (PostgreSQL LISTEN) delivers other replicas' changes the same way.
#include <QString>
#include <QStringList>
#include <functional>
#include <vector>

namespace koan {

struct Change {
    enum class Kind { Record, ToolList, Setting };
    Kind kind = Kind::Record;
    QString entity;      // Record: the entity's name (EntityDescriptor::name)
    QStringList ids;     // Record: the records written or deleted
    bool all = false;    // Record: the entity as a whole (too many ids, or unknown which): re-read it
    QString key;         // Setting: its key
    bool listed = false; // Record: a record was created or deleted, so the resource list changed too

    static Change record(const QString &entity, const QStringList &ids, bool listed = false)
    {
        return {Kind::Record, entity, ids, false, {}, listed};
    }
    static Change toolList() { return {Kind::ToolList, {}, {}, false, {}, false}; }
    static Change setting(const QString &key) { return {Kind::Setting, {}, {}, false, key, false}; }
};

class ChangeBus
{
public:
    using Listener = std::function<void(const Change &change)>;
    virtual ~ChangeBus() = default;
    // Announces a change made by this process.
    virtual void publish(const Change &change) = 0;
    // Called for every change, this process's and (on a shared bus) other replicas'.
    virtual void listen(Listener listener) = 0;
};

// One node: a published change reaches this process's listeners, in order, at once.
class LocalChangeBus : public ChangeBus
{
public:
    void publish(const Change &change) override
    {
        const auto listeners = m_listeners; // a listener may add another
        for (const Listener &l : listeners)
            l(change);
    }
    void listen(Listener listener) override { m_listeners.push_back(std::move(listener)); }

private:
    std::vector<Listener> m_listeners;
};

} // namespace koan
