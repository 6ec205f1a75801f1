#pragma once
// A source of MCP resources (the entity records, a test fixture pack, ...). RpcBridge serves
// resources/list, resources/templates/list, resources/read and resources/subscribe across them.
#include "McpSession.h"
#include "ToolProvider.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

namespace koan {

struct ResourceEntry {
    QString uri;
    QString name;
    QString title;
    QString description;
    QString mimeType;

    QJsonObject toJson() const;
};

struct ResourceTemplate {
    QString uriTemplate; // RFC 6570, e.g. s12://trial-site/{id}
    QString name;
    QString title;
    QString description;
    QString mimeType;

    QJsonObject toJson() const;
};

class ResourceProvider
{
public:
    virtual ~ResourceProvider() = default;
    // How many resources the session may see, and `limit` of them from `offset` (a stable order).
    virtual int resourceCount(const McpSession &session) const = 0;
    virtual QList<ResourceEntry> resources(const McpSession &session, int offset, int limit) const = 0;
    virtual QList<ResourceTemplate> templates(const McpSession &session) const = 0;
    // Whether the session may read `uri`: Unknown when the URI is not of this provider's kind
    // (whether the record exists is read()'s business).
    virtual ToolAccess access(const QString &uri, const McpSession &session) const = 0;
    // The ReadResourceResult ({"contents": [...]}) of an allowed URI; nullopt with an empty error
    // when there is no such resource, with *error set when it could not be read.
    virtual std::optional<QJsonObject> read(const QString &uri, const McpSession &session, QString *error) = 0;
    // completion/complete for a ref/resource template's variable: the values to offer, or nullopt
    // when the template is not this provider's.
    virtual std::optional<QStringList> complete(const QString &uriTemplate, const QString &variable,
                                                const QString &prefix, const McpSession &session)
    {
        Q_UNUSED(uriTemplate)
        Q_UNUSED(variable)
        Q_UNUSED(prefix)
        Q_UNUSED(session)
        return std::nullopt;
    }
};

} // namespace koan
