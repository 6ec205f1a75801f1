#pragma once
// resources/*, prompts/* and completion/complete across the registered providers, for both eras
// (RpcBridge hands these methods here). Paging is one offset cursor over the providers in
// registration order; legacy resources/subscribe is kept on the session (McpSession::
// resourceSubscriptions), the modern era subscribes through subscriptions/listen instead.
#include "PromptProvider.h"
#include "ResourceProvider.h"
#include "RpcError.h"

#include <QJsonValue>
#include <functional>
#include <optional>

namespace koan {

class ContentDispatcher
{
public:
    using Done = std::function<void(const QJsonValue &result, const std::optional<RpcError> &error)>;

    void addResourceProvider(ResourceProvider *provider) { m_resources.append(provider); } // not owned
    void addPromptProvider(PromptProvider *provider) { m_prompts.append(provider); }       // not owned
    void setPageSize(int size) { m_pageSize = qMax(1, size); }
    bool hasResources() const { return !m_resources.isEmpty(); }
    bool hasPrompts() const { return !m_prompts.isEmpty(); }

    // Whether `method` is served here (given the providers registered).
    bool serves(const QString &method) const;
    // `input` lets a prompt ask the client for input (PromptProvider::getAsking).
    void dispatch(const QString &method, const QJsonObject &params, McpSession &session, const Done &done,
                  const InputAsk &input = {});

    // Whether the session may read `uri` (Unknown: no provider knows it).
    ToolAccess access(const QString &uri, const McpSession &session) const;

    // -32602 (2026-07-28) or -32002 (2025 sessions), with data.uri either way.
    static RpcError notFound(const QString &uri, const McpSession &session);

private:
    void listResources(const QJsonObject &params, const McpSession &session, const Done &done) const;
    void listTemplates(const McpSession &session, const Done &done) const;
    void read(const QJsonObject &params, const McpSession &session, const Done &done);
    void subscribe(const QJsonObject &params, McpSession &session, bool on, const Done &done);
    void listPrompts(const QJsonObject &params, const McpSession &session, const Done &done) const;
    void getPrompt(const QJsonObject &params, const McpSession &session, const Done &done, const InputAsk &input);
    void complete(const QJsonObject &params, const McpSession &session, const Done &done);
    std::optional<RpcError> refusal(const QString &uri, const ToolAccess &access, const McpSession &session) const;

    QList<ResourceProvider *> m_resources;
    QList<PromptProvider *> m_prompts;
    int m_pageSize = 100;
};

} // namespace koan
