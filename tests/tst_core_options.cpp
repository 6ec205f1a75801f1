// McpServerOptions layering: defaults < appsettings.json < appsettings.{Env}.json < KOAN_MCP__* < CLI,
// and clear errors naming the key; also through the real binary (--print-config).
#include "support/ChildProcess.h"
#include "config/OptionsLoader.h"
#include "entities/EntityRegistry.h"
#include "s12/S12MedTrials.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace koan;
using namespace koan::test;

// JSON written with single quotes (moc mis-parses raw string literals); ' becomes ".
static QByteArray q(const char *text)
{
    return QByteArray(text).replace('\'', '"');
}

class TestCoreOptions : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    void write(const QString &name, const QByteArray &json)
    {
        QFile f(m_dir.filePath(name));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(json);
    }
    OptionsSources sources(QProcessEnvironment env = {}) const
    {
        OptionsSources s;
        s.configDir = m_dir.path();
        s.env = env;
        return s;
    }

private slots:
    void init()
    {
        for (const QString &f : QDir(m_dir.path()).entryList(QDir::Files))
            QFile::remove(m_dir.filePath(f));
    }

    void defaultsFromEmbeddedSettings()
    {
        QStringList errors;
        const McpServerOptions o = OptionsLoader::load(sources(), &errors);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join('\n')));
        QCOMPARE(o.environment, QStringLiteral("Development"));
        QCOMPARE(o.bindAddress, QStringLiteral("127.0.0.1"));
        QCOMPARE(o.port, 5114);
        QCOMPARE(o.httpSseRoute, QStringLiteral("/mcp"));
        QCOMPARE(o.maxConcurrentConnections, 500);
        QCOMPARE(o.sseKeepAliveIntervalMs, 15000);
        QVERIFY(o.enableHttpSseTransport && o.enableStdioTransport && o.publishCapabilityEndpoint);
        QVERIFY(!o.effectiveRequireAuthentication());
    }

    void layering()
    {
        write("appsettings.json", q("{'Koan':{'Mcp':{'Port':6000,'MaxConcurrentConnections':100,'SseKeepAliveInterval':"
                                    "'5s','AllowedOrigins':['https://a']}}}"));
        write("appsettings.Staging.json", q("{'Koan':{'Mcp':{'Port':6001,'SseConnectionTimeout':'00:02:30'}}}"));
        QProcessEnvironment env;
        env.insert("KOAN_ENVIRONMENT", "Staging");
        env.insert("KOAN_MCP__MaxConcurrentConnections", "250");
        env.insert("KOAN_MCP__EntityOverrides__TrialSite__AllowMutations", "false");
        env.insert("KOAN_MCP__AllowedOrigins__0", "https://x");
        env.insert("KOAN_MCP__AllowedOrigins__1", "https://y");
        env.insert("koan_mcp__enablehttpssetransport", "false"); // case-insensitive
        OptionsSources s = sources(env);
        s.cli = {{"Port", "7000"}, {"Auth:RequiredScopes", "a,b"}};
        QStringList errors, layers;
        const McpServerOptions o = OptionsLoader::load(s, &errors, &layers);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join('\n')));
        QCOMPARE(o.environment, QStringLiteral("Staging"));
        QCOMPARE(o.port, 7000);                     // CLI beats everything
        QCOMPARE(o.maxConcurrentConnections, 250);  // env beats files
        QCOMPARE(o.sseKeepAliveIntervalMs, 5000);   // appsettings.json
        QCOMPARE(o.sseConnectionTimeoutMs, 150000); // appsettings.Staging.json, TimeSpan form
        QCOMPARE(o.allowedOrigins, (QStringList{"https://x", "https://y"}));
        QVERIFY(!o.enableHttpSseTransport);
        QCOMPARE(o.auth.requiredScopes, (QStringList{"a", "b"}));
        QVERIFY(o.entityOverrides.contains("TrialSite"));
        QCOMPARE(o.entityOverrides.value("TrialSite").allowMutations, std::optional<bool>(false));
        QVERIFY(layers.contains(m_dir.filePath("appsettings.Staging.json")));
        EntityRegistry registry(s12::entities());
        QVERIFY(registry.applyOverrides(o.entityOverrides, &errors));
        QCOMPARE(registry.options("TrialSite").allowMutations, false);
    }

    void overridesRoundTripEveryField()
    {
        // applyOverrides and overrideFor walk one field list: an override naming every field comes
        // back unchanged, and fields left at their defaults stay out of it.
        EntityOverride ov;
        ov.name = QStringLiteral("site");
        ov.description = QStringLiteral("Sites of the trial");
        ov.allowMutations = false;
        ov.requireAuthentication = false;
        ov.requireExpectedVersion = false;
        ov.requiredScopes = QStringList{QStringLiteral("koan:round-trip")};
        ov.enabledTransports = TransportSet{TransportKind::Stdio};
        EntityRegistry registry(s12::entities());
        QStringList errors;
        QVERIFY2(registry.applyOverrides({{QStringLiteral("TrialSite"), ov}}, &errors), qPrintable(errors.join('\n')));
        QCOMPARE(registry.overrideFor(QStringLiteral("TrialSite")).toJson(), ov.toJson());
        QCOMPARE(registry.overrideFor(QStringLiteral("MonitoringNote")).toJson(), QJsonObject());
    }

    void durations()
    {
        for (const auto &[text, ms] : QList<QPair<QString, int>>{{"15s", 15000},
                                                                 {"500ms", 500},
                                                                 {"2m", 120000},
                                                                 {"1h", 3600000},
                                                                 {"00:00:20", 20000},
                                                                 {"00:00:01.5", 1500},
                                                                 {"30", 30000}}) {
            QStringList errors;
            OptionsSources s = sources();
            s.cli = {{"SseKeepAliveInterval", text}};
            QCOMPARE(OptionsLoader::load(s, &errors).sseKeepAliveIntervalMs, ms);
            QVERIFY2(errors.isEmpty(), qPrintable(text));
        }
    }

    void errorsNameTheKey_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown") << q("{'Koan':{'Mcp':{'Bogus':1}}}") << "Koan:Mcp:Bogus: unknown setting";
        QTest::newRow("misspelt section") << q("{'Koan':{'Mpc':{'Port':1}}}") << "Koan:Mpc: unknown section";
        QTest::newRow("section not an object") << q("{'Koan':{'Mcp':[1]}}") << "Koan:Mcp: must be an object";
        QTest::newRow("port text") << q("{'Koan':{'Mcp':{'Port':'abc'}}}") << "Koan:Mcp:Port: expected an integer";
        QTest::newRow("port range") << q("{'Koan':{'Mcp':{'Port':70000}}}")
                                    << "Koan:Mcp:Port: must be between 0 and 65535";
        QTest::newRow("bool") << q("{'Koan':{'Mcp':{'EnableHttpSseTransport':'maybe'}}}")
                              << "Koan:Mcp:EnableHttpSseTransport: expected true or false";
        QTest::newRow("duration") << q("{'Koan':{'Mcp':{'SseKeepAliveInterval':'soon'}}}")
                                  << "Koan:Mcp:SseKeepAliveInterval: expected a duration";
        QTest::newRow("route") << q("{'Koan':{'Mcp':{'HttpSseRoute':'mcp/'}}}")
                               << "Koan:Mcp:HttpSseRoute: must look like /mcp";
        QTest::newRow("list") << q("{'Koan':{'Mcp':{'AllowedOrigins':[1]}}}")
                              << "Koan:Mcp:AllowedOrigins: expected a list of strings";
        QTest::newRow("override field") << q("{'Koan':{'Mcp':{'EntityOverrides':{'TrialSite':{'Colour':'red'}}}}}")
                                        << "Koan:Mcp:EntityOverrides:TrialSite:Colour: unknown setting";
        QTest::newRow("transport") << q(
            "{'Koan':{'Mcp':{'EntityOverrides':{'TrialSite':{'EnabledTransports':['Pigeon']}}}}}")
                                   << "unknown transport \"Pigeon\"";
        QTest::newRow("auth") << q("{'Koan':{'Mcp':{'Auth':{'AllowedAlgorithms':['none']}}}}")
                              << "Koan:Mcp:Auth:AllowedAlgorithms: 'none' is not supported";
        QTest::newRow("hs256 secret") << q(
            "{'Koan':{'Mcp':{'Auth':{'AllowedAlgorithms':['HS256'],'HmacSecret':'short'}}}}")
                                      << "Koan:Mcp:Auth:HmacSecret";
        QTest::newRow("store synchronous") << q("{'Koan':{'Mcp':{'Store':{'Synchronous':'OFF'}}}}")
                                           << "Koan:Mcp:Store:Synchronous: must be FULL or NORMAL, got \"OFF\"";
        QTest::newRow("store timeout") << q("{'Koan':{'Mcp':{'Store':{'TimeoutSeconds':0}}}}")
                                       << "Koan:Mcp:Store:TimeoutSeconds: must be between 1 and 600";
        QTest::newRow("store connections") << q("{'Koan':{'Mcp':{'Store':{'Connections':33}}}}")
                                           << "Koan:Mcp:Store:Connections: must be between 1 and 32";
        QTest::newRow("store field") << q("{'Koan':{'Mcp':{'Store':{'Journal':'DELETE'}}}}")
                                     << "Koan:Mcp:Store:Journal: unknown setting";
        QTest::newRow("tasks enabled") << q("{'Koan':{'Mcp':{'Tasks':{'Enabled':'yes'}}}}")
                                       << "Koan:Mcp:Tasks:Enabled: expected true or false";
        QTest::newRow("tasks ttl") << q("{'Koan':{'Mcp':{'Tasks':{'ResultTtlSeconds':0}}}}")
                                   << "Koan:Mcp:Tasks:ResultTtlSeconds: must be between 1 and";
        QTest::newRow("tasks field") << q("{'Koan':{'Mcp':{'Tasks':{'MaxTasks':3}}}}")
                                     << "Koan:Mcp:Tasks:MaxTasks: unknown setting";
    }
    void errorsNameTheKey()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        write("appsettings.json", json);
        QStringList errors;
        OptionsLoader::load(sources(), &errors);
        QVERIFY2(errors.join('\n').contains(expected), qPrintable(errors.join('\n')));
    }

    void invalidJsonNamesTheFile()
    {
        write("appsettings.json", "{ \"Koan\": ");
        QStringList errors;
        OptionsLoader::load(sources(), &errors);
        QCOMPARE(errors.size(), 1);
        QVERIFY(errors.first().startsWith(m_dir.filePath("appsettings.json")));
        QVERIFY(errors.first().contains("invalid JSON"));
    }

    void unknownEntityOverride()
    {
        EntityRegistry registry(s12::entities());
        QStringList errors;
        QMap<QString, EntityOverride> overrides;
        overrides.insert("Spaceship", EntityOverride{});
        QVERIFY(!registry.applyOverrides(overrides, &errors));
        QVERIFY(errors.join('\n').contains("Koan:Mcp:EntityOverrides:Spaceship: unknown entity"));
    }

    void environmentAwareAuthentication()
    {
        QStringList errors;
        OptionsSources s = sources();
        s.environment = "Production";
        McpServerOptions prod = OptionsLoader::load(s, &errors);
        QVERIFY(prod.effectiveRequireAuthentication());
        QVERIFY(prod.effectiveRequireHttps());
        QVERIFY(!prod.effectiveDevIssuer());
        s.cli = {{"RequireAuthentication", "false"}};
        QVERIFY(!OptionsLoader::load(s, &errors).effectiveRequireAuthentication()); // explicit wins
        s.environment = "Development";
        s.cli = {{"RequireAuthentication", "true"}};
        QVERIFY(OptionsLoader::load(s, &errors).effectiveRequireAuthentication());
        s.environment = "Production";
        s.cli = {{"Auth:EnableDevIssuer", "true"}};
        errors.clear();
        OptionsLoader::load(s, &errors);
        QVERIFY(errors.join('\n').contains(
            "Koan:Mcp:Auth:EnableDevIssuer: the dev token issuer is only allowed in Development"));
    }

    // Durable commits are the default everywhere; NORMAL (faster, may lose acknowledged writes on
    // power loss) is refused outside Development, by the key's full name.
    void storeSynchronousNormalOnlyInDevelopment_data()
    {
        QTest::addColumn<QString>("environment");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("effective"); // empty: refused
        const QString refused;
        QTest::newRow("default Production") << "Production" << QString() << QStringLiteral("FULL");
        QTest::newRow("default Development") << "Development" << QString() << QStringLiteral("FULL");
        QTest::newRow("FULL Production") << "Production" << QStringLiteral("FULL") << QStringLiteral("FULL");
        QTest::newRow("NORMAL Development") << "Development" << QStringLiteral("NORMAL") << QStringLiteral("NORMAL");
        QTest::newRow("normal development") << "development" << QStringLiteral("normal") << QStringLiteral("NORMAL");
        QTest::newRow("NORMAL Production") << "Production" << QStringLiteral("NORMAL") << refused;
        QTest::newRow("NORMAL Staging") << "Staging" << QStringLiteral("NORMAL") << refused;
        QTest::newRow("NORMAL typo") << "Developmnet" << QStringLiteral("NORMAL") << refused;
        QTest::newRow("OFF Development") << "Development" << QStringLiteral("OFF") << refused;
    }
    void storeSynchronousNormalOnlyInDevelopment()
    {
        QFETCH(QString, environment);
        QFETCH(QString, value);
        QFETCH(QString, effective);
        OptionsSources s = sources();
        s.environment = environment;
        if (!value.isNull())
            s.cli = {{"Store:Synchronous", value}};
        QStringList errors;
        const McpServerOptions o = OptionsLoader::load(s, &errors);
        const QString all = errors.join('\n');
        if (!effective.isEmpty()) {
            QVERIFY2(!all.contains("Store"), qPrintable(all));
            QCOMPARE(o.store.synchronous, effective);
            QCOMPARE(o.toJson()["Store"].toObject()["Synchronous"].toString(), effective);
            return;
        }
        QVERIFY2(all.contains("Koan:Mcp:Store:Synchronous: "), qPrintable(all));
        QCOMPARE(o.store.synchronous, QStringLiteral("FULL")); // a refused value never applies
        if (value == QLatin1String("NORMAL"))
            QVERIFY2(all.contains("NORMAL is only allowed in Development") && all.contains("power loss")
                         && all.contains("acknowledged writes"),
                     qPrintable(all));
    }

    void secureDefaultsEverywhereButDevelopment_data()
    {
        QTest::addColumn<QString>("environment");
        QTest::addColumn<bool>("secure");
        QTest::newRow("Development") << "Development" << false;
        QTest::newRow("development") << "development" << false;
        QTest::newRow("DEVELOPMENT") << "DEVELOPMENT" << false;
        QTest::newRow("Production") << "Production" << true;
        QTest::newRow("production") << "production" << true;
        QTest::newRow("Staging") << "Staging" << true;
        QTest::newRow("typo") << "Developmnet" << true; // a typo must not open the server up
    }
    void secureDefaultsEverywhereButDevelopment()
    {
        QFETCH(QString, environment);
        QFETCH(bool, secure);
        QStringList errors;
        OptionsSources s = sources();
        s.environment = environment;
        const McpServerOptions o = OptionsLoader::load(s, &errors);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join('\n')));
        QCOMPARE(o.effectiveRequireAuthentication(), secure);
        QCOMPARE(o.effectiveRequireHttps(), secure);
        QCOMPARE(o.effectiveRateLimit(), secure);
        QCOMPARE(o.effectiveDevIssuer(), !secure); // the dev issuer exists only in Development
        s.cli = {{"Auth:EnableDevIssuer", "true"}};
        OptionsLoader::load(s, &errors);
        QCOMPARE(errors.join('\n').contains("only allowed in Development"), secure);
    }

    // resources/config/appsettings.Development.json: loaded in Development only (any case), above the
    // built-in defaults and below every file of the operator's; it shares the defaults' limits.
    void developmentSettingsFile_data()
    {
        QTest::addColumn<QString>("environment");
        QTest::addColumn<bool>("loaded");
        QTest::newRow("Development") << "Development" << true;
        QTest::newRow("development") << "development" << true;
        QTest::newRow("Production") << "Production" << false;
        QTest::newRow("Staging") << "Staging" << false;
        QTest::newRow("typo") << "Developmnet" << false;
    }
    void developmentSettingsFile()
    {
        QFETCH(QString, environment);
        QFETCH(bool, loaded);
        const QString devFile = QStringLiteral(":/config/appsettings.Development.json");
        OptionsSources s = sources();
        s.environment = environment;
        QStringList errors, layers;
        const McpServerOptions o = OptionsLoader::load(s, &errors, &layers);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join('\n')));
        QCOMPARE(layers.contains(devFile), loaded);
        QCOMPARE(layers.indexOf(devFile), loaded ? 1 : -1); // right after the built-in defaults
        // The MCP Inspector's web UI (localhost:6274) is a CORS origin in Development only.
        QCOMPARE(o.allowedOrigins.contains("http://localhost:6274"), loaded);
        QVERIFY(o.allowedOrigins.contains("http://localhost:5114"));
        if (loaded) {
            QVERIFY(o.publishCapabilityEndpoint && o.seedSampleData && o.effectiveDevIssuer());
            QCOMPARE(o.requireAuthentication, std::optional<bool>(false));
            QCOMPARE(o.requireHttps, std::optional<bool>(false));
            QCOMPARE(o.rateLimit.enabled, std::optional<bool>(false));
            QCOMPARE(o.auth.enableDevIssuer, std::optional<bool>(true));
            QCOMPARE(o.effectiveMetricsAccess(), QStringLiteral("Public"));
        }
        // The same limits in every environment: what the file shares with the defaults is equal
        // (AllowedOrigins extends them), and the bound limits match Production's.
        const QJsonObject defaults = OptionsLoader::readSection(":/config/appsettings.json", &errors);
        const QJsonObject dev = OptionsLoader::readSection(devFile, &errors);
        // Every limit of the defaults is stated (a new one is added to both files, with the same value).
        for (auto it = defaults.begin(); it != defaults.end(); ++it)
            if (it.key().startsWith(QLatin1String("Max")) || it.key().endsWith(QLatin1String("Timeout"))
                || it.key().endsWith(QLatin1String("Interval")))
                QVERIFY2(dev.contains(it.key()), qPrintable("appsettings.Development.json does not state " + it.key()));
        for (auto it = dev.begin(); it != dev.end(); ++it) {
            if (!defaults.contains(it.key()))
                continue;
            if (it.key() == QLatin1String("AllowedOrigins")) {
                for (const QJsonValue &v : defaults.value(it.key()).toArray())
                    QVERIFY2(it.value().toArray().contains(v), qPrintable(v.toString()));
                continue;
            }
            QVERIFY2(it.value() == defaults.value(it.key()), qPrintable(it.key()));
        }
        s.environment = "Production";
        const McpServerOptions prod = OptionsLoader::load(s, &errors);
        QCOMPARE(o.maxConcurrentConnections, prod.maxConcurrentConnections);
        QCOMPARE(o.maxSessions, prod.maxSessions);
        QCOMPARE(o.maxRequestBodyBytes, prod.maxRequestBodyBytes);
        QCOMPARE(o.maxQueuedBytesPerStream, prod.maxQueuedBytesPerStream);
        QCOMPARE(o.sseKeepAliveIntervalMs, prod.sseKeepAliveIntervalMs);
        QCOMPARE(o.sseConnectionTimeoutMs, prod.sseConnectionTimeoutMs);
        QCOMPARE(o.rateLimit.permitsPerSecond, prod.rateLimit.permitsPerSecond);
        QCOMPARE(o.rateLimit.burst, prod.rateLimit.burst);

        // The operator's files win over it: appsettings.json, then appsettings.{Environment}.json.
        write("appsettings.json", q("{'Koan':{'Mcp':{'AllowedOrigins':['https://a'],'SeedSampleData':false}}}"));
        s.environment = environment;
        McpServerOptions over = OptionsLoader::load(s, &errors);
        QCOMPARE(over.allowedOrigins, QStringList{"https://a"});
        QVERIFY(!over.seedSampleData);
        write("appsettings." + environment.toUtf8() + ".json", q("{'Koan':{'Mcp':{'AllowedOrigins':['https://b']}}}"));
        over = OptionsLoader::load(s, &errors);
        QCOMPARE(over.allowedOrigins, QStringList{"https://b"});
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join('\n')));
    }

    void environmentIsNotASetting()
    {
        const auto errorsFor
            = [this](const QByteArray &file, QProcessEnvironment env, QList<QPair<QString, QString>> cli) {
                  init();
                  if (!file.isEmpty())
                      write("appsettings.json", file);
                  OptionsSources s = sources(env);
                  s.cli = cli;
                  QStringList errors;
                  OptionsLoader::load(s, &errors);
                  return errors.join('\n');
              };
        const QString hint
            = QStringLiteral("not a setting; choose the environment with KOAN_ENVIRONMENT or --environment");
        QString e = errorsFor(q("{'Koan':{'Mcp':{'Environment':'Production'}}}"), {}, {});
        QVERIFY2(e.contains("Koan:Mcp:Environment (in " + m_dir.filePath("appsettings.json") + "): " + hint),
                 qPrintable(e));
        QProcessEnvironment env;
        env.insert("KOAN_MCP__Environment", "Production");
        e = errorsFor({}, env, {});
        QVERIFY2(e.contains("Koan:Mcp:Environment (from the environment variable KOAN_MCP__Environment): " + hint),
                 qPrintable(e));
        e = errorsFor({}, {}, {{"environment", "Production"}});
        QVERIFY2(e.contains("Koan:Mcp:Environment (from --set environment): " + hint), qPrintable(e));
        QVERIFY(errorsFor({}, {}, {}).isEmpty());
    }

    void publicBaseUrlMapsWildcardsToLoopback()
    {
        McpServerOptions o;
        QCOMPARE(o.publicBaseUrl(5114), QStringLiteral("http://127.0.0.1:5114"));
        o.bindAddress = "0.0.0.0";
        QCOMPARE(o.resourceUri(6000), QStringLiteral("http://127.0.0.1:6000/mcp"));
        o.bindAddress = "::";
        QCOMPARE(o.publicBaseUrl(6000), QStringLiteral("http://[::1]:6000"));
        o.bindAddress = "fe80::1";
        QCOMPARE(o.publicBaseUrl(1), QStringLiteral("http://[fe80::1]:1"));
        o.bindAddress = "10.0.0.5";
        o.tlsCertificateFile = o.tlsKeyFile = "x";
        QCOMPARE(o.resourceUri(443), QStringLiteral("https://10.0.0.5:443/mcp"));
        o.auth.audience = "https://mcp.example.org/mcp"; // the explicit public resource wins
        QCOMPARE(o.resourceUri(443), QStringLiteral("https://mcp.example.org/mcp"));
    }

    void tokenValidationNeedsIssuerAndKeysOutsideDevelopment()
    {
        QStringList errors;
        OptionsSources s = sources();
        s.environment = "Staging";
        McpServerOptions o = OptionsLoader::load(s, &errors);
        QVERIFY(errors.isEmpty());
        const QString problems = o.tokenValidationProblems(o.effectiveRequireAuthentication()).join('\n');
        QVERIFY2(problems.contains("Koan:Mcp:Auth:Issuer: required outside Development"), qPrintable(problems));
        QVERIFY2(problems.contains("Koan:Mcp:Auth:JwksUrl: a key source is required"), qPrintable(problems));
        QVERIFY(o.tokenValidationProblems(false).isEmpty()); // authentication explicitly off
        s.cli = {{"Auth:Issuer", "https://login.example.org/"}, {"Auth:JwksFile", "/etc/koan/jwks.json"}};
        QVERIFY(OptionsLoader::load(s, &errors).tokenValidationProblems(true).isEmpty());
        s.environment = "Development";
        s.cli.clear();
        QVERIFY(OptionsLoader::load(s, &errors).tokenValidationProblems(true).isEmpty()); // the dev issuer covers it
    }

    void binaryPrintConfigAndStartupErrors()
    {
        write("appsettings.json", q("{'Koan':{'Mcp':{'Port':6100}}}"));
        QProcess p;
        QProcessEnvironment env = isolatedEnvironment(m_dir.path());
        env.insert("KOAN_MCP__MaxConcurrentConnections", "42");
        env.insert("KOAN_MCP__Store__TimeoutSeconds", "7");
        env.insert("KOAN_MCP__Store__Connections", "3");
        p.setProcessEnvironment(env);
        p.start(KOAN_MCP_BINARY, {"--print-config", "--config-dir", m_dir.path(), "--set", "ToolsPageSize=7"});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
        const QJsonObject printed = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
        QCOMPARE(printed["Port"].toInt(), 6100);
        QCOMPARE(printed["MaxConcurrentConnections"].toInt(), 42);
        QCOMPARE(printed["ToolsPageSize"].toInt(), 7);
        // Effective security values, even when derived from the environment.
        QCOMPARE(printed["RequireAuthentication"], QJsonValue(false));
        QCOMPARE(printed["RequireHttps"], QJsonValue(false));
        QCOMPARE(printed["Store"].toObject()["Synchronous"].toString(), QStringLiteral("FULL"));
        QCOMPARE(printed["Store"].toObject()["TimeoutSeconds"].toInt(), 7);
        QCOMPARE(printed["Store"].toObject()["Connections"].toInt(), 3);
        QCOMPARE(printed["Tasks"].toObject()["Enabled"], QJsonValue(true));
        QCOMPARE(printed["Tasks"].toObject()["ResultTtlSeconds"].toInt(), 3600);
        p.start(KOAN_MCP_BINARY, {"--print-config", "--config-dir", m_dir.path(), "--environment", "Staging"});
        QVERIFY(p.waitForFinished(10000));
        const QJsonObject staging = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
        QCOMPARE(staging["RequireAuthentication"], QJsonValue(true));
        QCOMPARE(staging["RequireHttps"], QJsonValue(true));
        QCOMPARE(staging["Auth"].toObject()["EnableDevIssuer"], QJsonValue(false));

        // Environment as a setting is an error, not silently replaced.
        p.start(KOAN_MCP_BINARY, {"--print-config", "--config-dir", m_dir.path(), "--set", "Environment=Production"});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("Koan:Mcp:Environment (from --set Environment): not a setting; "
                                                  "choose the environment with KOAN_ENVIRONMENT"));

        // Outside Development, required tokens need an issuer and keys: a startup error naming the key.
        p.start(KOAN_MCP_BINARY, {"--headless", "--config-dir", m_dir.path(), "--environment", "Staging", "--db",
                                  ":memory:", "--port", "0"});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 2);
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(err.contains("Koan:Mcp:Auth:Issuer: required outside Development")
                     && err.contains("Koan:Mcp:Auth:JwksUrl"),
                 err.constData());

        // Store:Synchronous=NORMAL outside Development stops startup, naming the key.
        p.start(KOAN_MCP_BINARY, {"--headless", "--config-dir", m_dir.path(), "--environment", "Production", "--db",
                                  ":memory:", "--port", "0", "--set", "Store:Synchronous=NORMAL"});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 2);
        const QByteArray syncErr = p.readAllStandardError();
        QVERIFY2(syncErr.contains("Koan:Mcp:Store:Synchronous: NORMAL is only allowed in Development"),
                 syncErr.constData());

        write("appsettings.json", q("{'Koan':{'Mcp':{'Port':'http'}}}"));
        p.start(KOAN_MCP_BINARY, {"--headless", "--config-dir", m_dir.path()});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("Koan:Mcp:Port"));
        p.start(KOAN_MCP_BINARY, {"--no-such-flag"});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 2);
    }

    void productionTemplateStarts()
    {
        // deploy/appsettings.Production.json passes the Production checks and serves.
        QProcess p;
        QProcessEnvironment env = isolatedEnvironment(m_dir.path());
        env.insert("KOAN_ENVIRONMENT", "Production");
        p.setProcessEnvironment(env);
        p.start(KOAN_MCP_BINARY,
                {"--headless", "--config-dir", QStringLiteral(KOAN_SOURCE_DIR "/deploy"), "--db", ":memory:", "--port",
                 "0", "--bind", "127.0.0.1", "--set", "Auth:JwksUrl=http://127.0.0.1:9/jwks.json"});
        QByteArray err;
        QVERIFY(QTest::qWaitFor(
            [&] {
                err += p.readAllStandardError();
                return err.contains("AUTHENTICATION REQUIRED") || p.state() == QProcess::NotRunning;
            },
            10000));
        QVERIFY2(err.contains("listening on") && err.contains("resource https://mcp.example.org/mcp"), err.constData());
        QVERIFY(err.contains("AUTHENTICATION REQUIRED"));
        p.terminate();
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestCoreOptions)
#include "tst_core_options.moc"
