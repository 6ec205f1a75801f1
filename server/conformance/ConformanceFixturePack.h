#pragma once
// The tools, resources, prompts and completions that the official MCP conformance suite
// (@modelcontextprotocol/conformance) calls by name. Loaded only with `--fixtures conformance`;
// never mixed into the S12 entity tools.
#include "core/ToolProvider.h"

#include <QObject>

namespace koan {

class RpcBridge;

class ConformanceFixturePack : public QObject, public ToolProvider
{
    Q_OBJECT
public:
    explicit ConformanceFixturePack(QObject *parent = nullptr);
    void install(RpcBridge *bridge);

    QList<ToolDefinition> tools(const McpSession &session) const override;
    ToolAccess access(const QString &name, const McpSession &session) const override;
    const ToolDefinition *definition(const QString &name) const override;
    void call(const ToolCall &call, std::function<void(const QJsonObject &)> done) override;

private:
    // Sends the steps of a multi-step tool ~50 ms apart, then completes it.
    void runSteps(const ToolCall &call, QList<std::function<void()>> steps, std::function<void()> finish);
    void askClient(const ToolCall &call, const QString &method, const QJsonObject &params, const QString &capability,
                   std::function<QJsonObject(const QJsonObject &result)> toResult,
                   std::function<void(const QJsonObject &)> done);

    QList<ToolDefinition> m_tools;
};

} // namespace koan
