#pragma once
// The entities exposed as MCP tools, their effective options (defaults + overrides, editable at
// runtime) and the generated tool definitions.
#include "EntityDescriptor.h"
#include "config/McpServerOptions.h"
#include "core/McpSession.h"
#include "core/ToolProvider.h"

#include <QHash>
#include <QObject>

namespace koan {

class EntityRegistry : public QObject
{
    Q_OBJECT
public:
    enum class Op { Collection, GetById, History, Upsert, UpsertMany, Patch, Delete, DeleteMany, DeleteAll, Export };
    static QString opName(Op op);
    static bool isMutation(Op op)
    {
        return op != Op::Collection && op != Op::GetById && op != Op::History && op != Op::Export;
    }
    // Records per transaction when a batch runs as a task (and per page of an export).
    static constexpr int kTaskChunk = 100;
    static constexpr int kDefaultPageSize = 50;
    static constexpr int kMaxPageSize = 200;

    struct Tool {
        const EntityDescriptor *entity = nullptr;
        Op op = Op::Collection;
        ToolDefinition definition;
    };

    explicit EntityRegistry(QList<EntityDescriptor> entities, QObject *parent = nullptr);

    const QList<EntityDescriptor> &entities() const { return m_entities; }
    const EntityDescriptor *entity(const QString &name) const; // by name or tool prefix, any case
    EntityOptions options(const QString &entityName) const;
    // Replaces an entity's options (console edits). Rejects invalid or clashing names.
    bool setOptions(const QString &entityName, const EntityOptions &options, QString *error);
    // Applies configuration overrides; unknown entity keys are reported.
    bool applyOverrides(const QMap<QString, EntityOverride> &overrides, QStringList *errors);
    // Override capturing how `options` differ from the entity's defaults (for persisting).
    EntityOverride overrideFor(const QString &entityName) const;

    void setServerRequiresAuthentication(bool required);
    bool serverRequiresAuthentication() const { return m_serverRequiresAuth; }

    const QList<Tool> &tools() const { return m_tools; } // every tool, whatever the caller
    const Tool *tool(const QString &name) const;
    ToolAccess access(const Tool &tool, const McpSession &session) const;

signals:
    void changed(); // options changed: tool names, visibility or rules

private:
    EntityOptions defaults(const EntityDescriptor &e) const;
    void rebuild();
    ToolDefinition makeDefinition(const EntityDescriptor &e, const EntityOptions &o, Op op) const;

    QList<EntityDescriptor> m_entities;
    QHash<QString, EntityOptions> m_options; // by entity name
    QList<Tool> m_tools;
    QHash<QString, int> m_toolIndex;
    bool m_serverRequiresAuth = false;
};

} // namespace koan
