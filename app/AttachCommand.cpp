#include "AttachCommand.h"

#include "MainWindow.h"
#include "console/RemoteConsoleLink.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QTimer>
#include <cstdio>
#include <optional>

namespace koan {

namespace {
void print(FILE *to, const QString &line)
{
    fputs(qPrintable(line + QLatin1Char('\n')), to);
    fflush(to);
}

int refuse(const QString &url, const QString &reason)
{
    print(stderr, QStringLiteral("koan-mcp console: cannot attach to %1: %2").arg(url, reason));
    return 1;
}

// The probe: the stream's first event is its snapshot, or the reason it did not come.
int check(RemoteConsoleLink &link)
{
    std::optional<int> rc;
    QObject::connect(&link, &RemoteConsoleLink::eventReceived, &link, [&](const QString &event, const QJsonObject &d) {
        if (rc)
            return;
        const QJsonObject server = d.value(QLatin1String("server")).toObject();
        const QJsonObject status = d.value(QLatin1String("status")).toObject();
        print(stdout, QStringLiteral("attached to %1").arg(link.target()));
        print(stdout,
              QStringLiteral("server: %1 %2 (environment %3, authentication %4)")
                  .arg(server.value(QLatin1String("name")).toString(),
                       server.value(QLatin1String("version")).toString(),
                       status.value(QLatin1String("environment")).toString(),
                       status.value(QLatin1String("authenticationRequired")).toBool() ? QStringLiteral("required")
                                                                                      : QStringLiteral("off")));
        print(stdout, QStringLiteral("sessions: %1 open, %2 ended")
                          .arg(d.value(QLatin1String("sessions")).toArray().size())
                          .arg(d.value(QLatin1String("history")).toArray().size()));
        print(stdout, QStringLiteral("first event: %1 (%2 tools, %3 log records)")
                          .arg(event)
                          .arg(d.value(QLatin1String("tools")).toArray().size())
                          .arg(d.value(QLatin1String("logs")).toArray().size()));
        rc = event == QLatin1String("snapshot") ? 0 : 1;
        QCoreApplication::quit();
    });
    QObject::connect(&link, &ConsoleLink::connectionChanged, &link, [&](bool connected, const QString &detail) {
        if (!connected && !rc) {
            rc = refuse(link.target(), detail);
            QCoreApplication::quit();
        }
    });
    QTimer::singleShot(15000, &link, [&] {
        if (!rc) {
            rc = refuse(link.target(), QStringLiteral("no answer within 15 s"));
            QCoreApplication::quit();
        }
    });
    link.start();
    QCoreApplication::exec();
    link.stop();
    return rc.value_or(1);
}
} // namespace

int AttachCommand::run(const CliCommand::AttachRequest &request)
{
    AttachOptions options;
    options.url = QUrl(request.url.trimmed(), QUrl::StrictMode);
    if (const QString problem = AttachOptions::problem(options.url); !problem.isEmpty())
        return refuse(request.url, problem);
    if (!request.tokenFile.isEmpty()) {
        QFile file(request.tokenFile);
        if (!file.open(QIODevice::ReadOnly))
            return refuse(
                request.url,
                QStringLiteral("cannot read the token file %1: %2").arg(request.tokenFile, file.errorString()));
        options.token = file.readAll().trimmed();
        if (options.token.isEmpty())
            return refuse(request.url, QStringLiteral("the token file %1 is empty").arg(request.tokenFile));
    }
    if (!request.caCertFile.isEmpty()) {
        options.caCertificates = QSslCertificate::fromPath(request.caCertFile, QSsl::Pem);
        if (options.caCertificates.isEmpty())
            return refuse(request.url, QStringLiteral("no PEM certificate in %1 (--cacert)").arg(request.caCertFile));
    }
    if (request.check) {
        options.reconnectMs = 0;
        RemoteConsoleLink link(options);
        return check(link);
    }
    RemoteConsoleLink link(options);
    ui::MainWindow window(&link);
    window.show();
    link.start();
    return QCoreApplication::exec();
}

} // namespace koan
