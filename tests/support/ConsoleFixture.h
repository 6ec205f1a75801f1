#pragma once
// The console over a real server on its own thread, as koan-mcp runs it in-process: English
// translations, a ServerHost with HTTP on a free loopback port (its database and dev-issuer key in
// a temporary folder), an InProcessConsoleLink and the MainWindow opened with the snapshots taken
// on the server thread before it shows. The GUI suites drive it with real clients over loopback.
#include "MainWindow.h"
#include "ServerHost.h"
#include "Translations.h"
#include "admin/AdminController.h"
#include "console/InProcessConsoleLink.h"
#include "s12/S12MedTrials.h"

#include <QApplication>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <functional>
#include <memory>

namespace koan::test {

struct ConsoleFixture {
    QTemporaryDir dir;
    std::unique_ptr<ServerHost> host;
    std::unique_ptr<InProcessConsoleLink> link; // outlives the window
    std::unique_ptr<ui::MainWindow> window;
    AdminController *admin = nullptr; // lives on the server thread
    quint16 port = 0;
    QString problems; // why a step failed

    // The console's English translations and the server, started with HTTP on a free port and its
    // database `database` in dir; `setup` runs on the server thread before it initializes (a fixture pack).
    bool startServer(const QString &database, McpServerOptions o = {},
                     const std::function<void(McpServer *)> &setup = {})
    {
        if (!dir.isValid())
            return fail(QStringLiteral("cannot create a temporary folder"));
        if (!ui::installTranslations(qApp, QLocale(QLocale::English, QLocale::UnitedStates)))
            return fail(QStringLiteral("the console's translations did not load"));
        o.port = 0;
        o.databasePath = dir.filePath(database);
        o.auth.devIssuerKeyFile = dir.filePath(QStringLiteral("dev.pem"));
        host = std::make_unique<ServerHost>(o, s12::catalog());
        QStringList errors;
        if (!host->start(true, &errors, setup))
            return fail(errors.join(QLatin1Char('\n')));
        host->invoke([this] {
            admin = host->server()->admin();
            port = host->server()->httpPort();
        });
        return true;
    }
    // The link and the window, shown; `prepare` runs on the server thread before the snapshots are taken.
    bool openWindow(const std::function<void(AdminController *)> &prepare = {})
    {
        ServerStatus status;
        QList<EntitySnapshot> entities;
        QList<ToolSnapshot> tools;
        host->invoke([&] {
            if (prepare)
                prepare(admin);
            status = admin->status();
            entities = admin->entities();
            tools = admin->tools();
        });
        link = std::make_unique<InProcessConsoleLink>(admin);
        window = std::make_unique<ui::MainWindow>(link.get(), status, QList<SessionInfo>{}, entities, tools);
        window->show();
        if (!QTest::qWaitForWindowExposed(window.get()))
            return fail(QStringLiteral("the main window was not exposed"));
        return true;
    }
    bool start(const QString &database, const McpServerOptions &o = {},
               const std::function<void(McpServer *)> &setup = {})
    {
        return startServer(database, o, setup) && openWindow();
    }

    // Runs `fn` on the server thread and waits for its result.
    template<typename T> T onServer(const std::function<T()> &fn) const
    {
        T out{};
        host->invoke([&] { out = fn(); });
        return out;
    }

    // With KOAN_SCREENSHOT_DIR set, shows `page` and saves the window there as `name`.png; false if saving failed.
    bool screenshot(const QString &name, QWidget *page) const
    {
        const QString shots = qEnvironmentVariable("KOAN_SCREENSHOT_DIR");
        if (shots.isEmpty())
            return true;
        window->tabs()->setCurrentWidget(page);
        QTest::qWait(100);
        return window->grab().save(shots + QLatin1Char('/') + name + QStringLiteral(".png"));
    }

    // The window first, then the link, then the server (it stops HTTP and joins its thread).
    void stop()
    {
        window.reset();
        link.reset();
        host.reset();
    }

private:
    bool fail(const QString &why)
    {
        problems = why;
        return false;
    }
};

} // namespace koan::test
