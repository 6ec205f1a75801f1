#pragma once
// A source of MCP resources (the entity records, a test fixture pack, ...). RpcBridge serves
// resources/list, resources/templates/list, resources/read and resources/subscribe across them.
#include "CompletionValues.h"
#include "McpSession.h"
#include "ToolProvider.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <functional>
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
    // resources/list and resources/read as the dispatcher calls them: a provider whose store
    // blocks (the entity records) answers later from its store worker; these defaults answer at
    // once from the synchronous calls above. What the session may see is decided before they
    // return; the session outlives `done` (the caller keeps it).
    struct Listing {
        int count = 0;                // resources the session may see
        QList<ResourceEntry> entries; // up to `limit` of them from `from`
        QString error;                // could not be counted or read
        QString reason;               // with error: a code for agents (store_timeout, store_unavailable)
    };
    virtual void listAsync(const McpSession &session, int from, int limit,
                           const std::function<void(const Listing &)> &done) const
    {
        Listing l;
        l.count = resourceCount(session);
        if (from < l.count && limit > 0)
            l.entries = resources(session, from, limit);
        done(l);
    }
    struct Reading {
        std::optional<QJsonObject> result; // nullopt with an empty error: no such resource
        QString error;
        QString reason;
    };
    virtual void readAsync(const QString &uri, const McpSession &session,
                           const std::function<void(const Reading &)> &done)
    {
        Reading r;
        r.result = read(uri, session, &r.error);
        done(r);
    }
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
    // The same as the dispatcher calls it (answered later by a provider whose store blocks).
    virtual void completeAsync(const QString &uriTemplate, const QString &variable, const QString &prefix,
                               const McpSession &session, const std::function<void(const CompletionValues &)> &done)
    {
        done(CompletionValues{complete(uriTemplate, variable, prefix, session), {}, {}});
    }
};

} // namespace koan
