#pragma once
// The console over the server running in this process: AdminController's signals, which cross
// from the server thread queued, and its slots, always called queued.
#include "ConsoleLink.h"

namespace koan {

class InProcessConsoleLink : public ConsoleLink
{
    Q_OBJECT
public:
    explicit InProcessConsoleLink(AdminController *admin, QObject *parent = nullptr);

    bool isRemote() const override { return false; }
    QString target() const override { return tr("this process"); }
    AdminController *admin() const { return m_admin; }

    void refresh() override;
    void setHttpSse(const HttpSseSwitch &request) override;
    void applyEntityOptions(const QString &entity, const EntityOptions &options) override;
    void resetEntityOptions(const QString &entity) override;
    void disconnectSession(const QString &sessionId) override;
    void invokeTool(const QString &requestId, const QString &tool, const QJsonObject &arguments) override;
    void cancelInvocation(const QString &requestId) override;
    void cancelTask(const QString &taskId) override;
    void setTrafficRecording(const QString &target, bool on) override;
    void setRecordNewSessions(bool on) override;
    void requestTraffic(const QString &target) override;

private:
    template<typename F> void command(F &&fn) const
    {
        QMetaObject::invokeMethod(m_admin, std::forward<F>(fn), Qt::QueuedConnection);
    }

    AdminController *m_admin;
};

} // namespace koan
