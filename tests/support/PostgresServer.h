#pragma once
// A throwaway PostgreSQL cluster for the store suites: Debian's `postgresql` binaries, `initdb`
// as an unprivileged user (runuser -u nobody when the tests run as root, as CI does) into a
// temporary folder, `pg_ctl` on a free loopback port with its unix socket inside that folder,
// password authentication (scram-sha-256) so the DatabaseUrl carries a real password, stopped
// (immediate) when the object goes. One cluster per test process; each test takes a database
// of its own (freshDatabaseUrl), so tests never see each other's rows.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <memory>
#include <signal.h>
#include <unistd.h>

namespace koan::test {

class PostgresServer
{
public:
    static constexpr const char *kUser = "koan";
    static constexpr const char *kPassword = "s3cret-Pg-pass_word"; // tests look for it in logs and output

    // The folder holding initdb/pg_ctl (Debian: /usr/lib/postgresql/<major>/bin), or empty.
    static QString binDir()
    {
        if (const QByteArray env = qgetenv("KOAN_TEST_PG_BINDIR"); !env.isEmpty())
            return QString::fromLocal8Bit(env);
        const QDir root(QStringLiteral("/usr/lib/postgresql"));
        QStringList majors = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        std::sort(majors.begin(), majors.end(),
                  [](const QString &a, const QString &b) { return a.toInt() > b.toInt(); });
        for (const QString &m : majors)
            if (QFile::exists(root.filePath(m + QStringLiteral("/bin/initdb"))))
                return root.filePath(m + QStringLiteral("/bin"));
        const QString initdb = QStandardPaths::findExecutable(QStringLiteral("initdb"));
        return initdb.isEmpty() ? QString() : QFileInfo(initdb).absolutePath();
    }
    static bool available() { return !binDir().isEmpty() && QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")); }
    static QString missingReason()
    {
        if (binDir().isEmpty())
            return QStringLiteral("PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql");
        return QStringLiteral("Qt's PostgreSQL driver (QPSQL) is missing: apt-get install libqt6sql6-psql");
    }

    // The cluster of this test process, started on first use; null (with *why) if it cannot run.
    static PostgresServer *shared(QString *why)
    {
        static std::unique_ptr<PostgresServer> server;
        static QString problem;
        if (!server && problem.isEmpty()) {
            auto s = std::make_unique<PostgresServer>();
            if (s->start(&problem))
                server = std::move(s);
        }
        if (why)
            *why = problem;
        return server.get();
    }

    ~PostgresServer() { stop(); }

    bool start(QString *error)
    {
        if (!available()) {
            *error = missingReason();
            return false;
        }
        if (!m_dir.isValid()) {
            *error = QStringLiteral("cannot create a temporary folder");
            return false;
        }
        m_bin = binDir();
        const QString pwfile = m_dir.filePath(QStringLiteral("pwfile"));
        QFile pw(pwfile);
        if (!pw.open(QIODevice::WriteOnly) || pw.write(kPassword) < 0)
            return fail(error, QStringLiteral("cannot write %1").arg(pwfile));
        pw.close();
        if (::geteuid() == 0) {
            // PostgreSQL refuses to run as root: the cluster belongs to nobody.
            m_runAs = QStringLiteral("nobody");
            const QByteArray path = QFile::encodeName(m_dir.path());
            if (::chown(path.constData(), 65534, 65534) != 0
                || ::chown(QFile::encodeName(pwfile).constData(), 65534, 65534) != 0)
                return fail(error, QStringLiteral("cannot hand %1 to nobody").arg(m_dir.path()));
        }
        if (!run(QStringLiteral("initdb"),
                 {QStringLiteral("-D"), dataDir(), QStringLiteral("-U"), QString::fromLatin1(kUser),
                  QStringLiteral("--pwfile=") + pwfile, QStringLiteral("--auth=scram-sha-256"),
                  QStringLiteral("--encoding=UTF8"), QStringLiteral("--locale=C.UTF-8"), QStringLiteral("--no-sync")},
                 60000, error))
            return false;
        QFile::remove(pwfile);
        for (int attempt = 0; attempt < 5; ++attempt) {
            m_port = freePort();
            const QString options = QStringLiteral("-p %1 -k %2 -c listen_addresses=127.0.0.1 -c fsync=off "
                                                   "-c max_connections=200 -c shared_buffers=16MB")
                                        .arg(m_port)
                                        .arg(m_dir.path());
            if (run(QStringLiteral("pg_ctl"),
                    {QStringLiteral("-D"), dataDir(), QStringLiteral("-l"), logFile(), QStringLiteral("-o"), options,
                     QStringLiteral("-w"), QStringLiteral("-t"), QStringLiteral("60"), QStringLiteral("start")},
                    70000, error)) {
                m_running = true;
                return true;
            }
        }
        *error += QStringLiteral("\n--- server log ---\n") + serverLog();
        return false;
    }

    // pg_ctl stop -m immediate: every connection drops at once (a crashed or unreachable database).
    bool stop()
    {
        if (!m_running)
            return true;
        QString error;
        m_running = !run(QStringLiteral("pg_ctl"),
                         {QStringLiteral("-D"), dataDir(), QStringLiteral("-m"), QStringLiteral("immediate"),
                          QStringLiteral("-w"), QStringLiteral("stop")},
                         30000, &error);
        return !m_running;
    }
    // Starts the stopped cluster again on the same port.
    bool restart(QString *error)
    {
        if (m_running)
            return true;
        const QString options = QStringLiteral("-p %1 -k %2 -c listen_addresses=127.0.0.1 -c fsync=off "
                                               "-c max_connections=200 -c shared_buffers=16MB")
                                    .arg(m_port)
                                    .arg(m_dir.path());
        m_running = run(QStringLiteral("pg_ctl"),
                        {QStringLiteral("-D"), dataDir(), QStringLiteral("-l"), logFile(), QStringLiteral("-o"),
                         options, QStringLiteral("-w"), QStringLiteral("start")},
                        70000, error);
        return m_running;
    }
    bool running() const { return m_running; }
    // SIGSTOP to the postmaster and every backend: the database stops answering while every
    // connection stays open (a hung server or a frozen VM: no error, no reset, just silence).
    bool pause() { return signalCluster(SIGSTOP); }
    bool resume() { return signalCluster(SIGCONT); }

    quint16 port() const { return m_port; }
    QString url(const QString &database) const
    {
        return QStringLiteral("postgresql://%1:%2@127.0.0.1:%3/%4")
            .arg(QString::fromLatin1(kUser), QString::fromLatin1(kPassword))
            .arg(m_port)
            .arg(database);
    }
    // A new, empty database; its URL.
    QString freshDatabaseUrl(QString *error = nullptr)
    {
        const QString name = QStringLiteral("t%1_%2").arg(::getpid()).arg(++m_databases);
        QString problem;
        if (!admin(QStringLiteral("CREATE DATABASE \"%1\"").arg(name), &problem)) {
            if (error)
                *error = problem;
            return {};
        }
        return url(name);
    }
    // Runs one statement in `database` as the cluster's superuser.
    bool admin(const QString &sql, QString *error = nullptr, const QString &database = QStringLiteral("postgres"))
    {
        const QString name = QStringLiteral("pg-admin-%1").arg(++m_connections);
        bool ok = false;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
            db.setHostName(QStringLiteral("127.0.0.1"));
            db.setPort(m_port);
            db.setUserName(QString::fromLatin1(kUser));
            db.setPassword(QString::fromLatin1(kPassword));
            db.setDatabaseName(database);
            db.setConnectOptions(QStringLiteral("connect_timeout=5"));
            if (db.open()) {
                QSqlQuery q(db);
                ok = q.exec(sql);
                if (!ok && error)
                    *error = q.lastError().text();
            } else if (error) {
                *error = db.lastError().text();
            }
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
        return ok;
    }
    QString serverLog() const
    {
        QFile f(logFile());
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    }

private:
    bool signalCluster(int sig)
    {
        QFile pidFile(dataDir() + QStringLiteral("/postmaster.pid"));
        if (!pidFile.open(QIODevice::ReadOnly))
            return false;
        const int master = pidFile.readLine().trimmed().toInt();
        if (master <= 0)
            return false;
        QList<int> pids{master};
        for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            bool numeric = false;
            const int pid = entry.toInt(&numeric);
            QFile stat(QStringLiteral("/proc/%1/stat").arg(entry));
            if (!numeric || !stat.open(QIODevice::ReadOnly))
                continue;
            const QByteArray line = stat.readAll(); // pid (comm) state ppid ...
            const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
            if (fields.size() > 1 && fields.at(1).toInt() == master)
                pids << pid;
        }
        for (const int pid : pids)
            if (::kill(pid, sig) != 0)
                return false;
        return true;
    }
    QString dataDir() const { return m_dir.filePath(QStringLiteral("data")); }
    QString logFile() const { return m_dir.filePath(QStringLiteral("server.log")); }
    static bool fail(QString *error, const QString &what)
    {
        *error = what;
        return false;
    }
    static quint16 freePort()
    {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        return probe.serverPort();
    }
    bool run(const QString &tool, const QStringList &args, int timeoutMs, QString *error)
    {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.setWorkingDirectory(m_dir.path());
        const QString exe = m_bin + QLatin1Char('/') + tool;
        if (m_runAs.isEmpty())
            p.start(exe, args);
        else
            p.start(QStringLiteral("runuser"),
                    QStringList{QStringLiteral("-u"), m_runAs, QStringLiteral("--"), exe} + args);
        if (!p.waitForFinished(timeoutMs) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
            p.kill();
            p.waitForFinished(2000);
            *error = QStringLiteral("%1 failed: %2").arg(tool, QString::fromLocal8Bit(p.readAll()));
            return false;
        }
        return true;
    }

    // Under /tmp: the cluster's owner (nobody, when root runs the tests) must reach it, which a
    // TMPDIR under /root would not allow, and the unix socket path must stay short.
    static QString tempTemplate()
    {
        const QString base = QFileInfo(QStringLiteral("/tmp")).isWritable() ? QStringLiteral("/tmp") : QDir::tempPath();
        return base + QStringLiteral("/koan-pg-XXXXXX");
    }

    QTemporaryDir m_dir{tempTemplate()};
    QString m_bin;
    QString m_runAs;
    quint16 m_port = 0;
    bool m_running = false;
    int m_databases = 0;
    int m_connections = 0;
};

// The store backends a parametrised suite runs against: adds a "backend" column with rows
// "sqlite" and "postgres".
inline void addBackendRows()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << QStringLiteral("sqlite");
    QTest::newRow("postgres") << QStringLiteral("postgres");
}

// For the current data row: empty for SQLite (the harness' file), a fresh database's URL for
// PostgreSQL. QSKIPs only when the PostgreSQL binaries or driver are really absent.
#define KOAN_FETCH_BACKEND(urlVariable)                                                                                \
    QFETCH(QString, backend);                                                                                          \
    QString urlVariable;                                                                                               \
    if (backend == QLatin1String("postgres")) {                                                                        \
        KOAN_FRESH_POSTGRES(urlVariable##Fresh_);                                                                      \
        urlVariable = urlVariable##Fresh_;                                                                             \
    }

// A PostgreSQL-only test: the shared server as `pgVariable` (QSKIP without PostgreSQL; fails when
// it cannot start).
#define KOAN_SHARED_POSTGRES(pgVariable)                                                                               \
    if (!koan::test::PostgresServer::available())                                                                      \
        QSKIP(qPrintable(koan::test::PostgresServer::missingReason()));                                                \
    QString pgVariable##Why_;                                                                                          \
    koan::test::PostgresServer *pgVariable = koan::test::PostgresServer::shared(&pgVariable##Why_);                    \
    QVERIFY2(pgVariable, qPrintable(pgVariable##Why_))

// The shared server as `pgVariable` and a fresh database's URL on it as `urlVariable`.
#define KOAN_FRESH_POSTGRES_ON(pgVariable, urlVariable)                                                                \
    KOAN_SHARED_POSTGRES(pgVariable);                                                                                  \
    const QString urlVariable = pgVariable->freshDatabaseUrl(&pgVariable##Why_);                                       \
    QVERIFY2(!urlVariable.isEmpty(), qPrintable(pgVariable##Why_))

// A PostgreSQL-only test: a fresh database's URL on the shared server (QSKIP without PostgreSQL).
#define KOAN_FRESH_POSTGRES(urlVariable) KOAN_FRESH_POSTGRES_ON(pg_##urlVariable, urlVariable)

} // namespace koan::test
