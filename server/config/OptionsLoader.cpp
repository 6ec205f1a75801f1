#include "OptionsLoader.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>

namespace koan {

namespace {
const QString kEnvPrefix = QStringLiteral("KOAN_MCP__");

QString findKey(const QJsonObject &obj, const QString &key)
{
    for (auto it = obj.begin(); it != obj.end(); ++it)
        if (it.key().compare(key, Qt::CaseInsensitive) == 0)
            return it.key();
    return key;
}

// The environment picks the settings files and the secure defaults, so it cannot be one of those
// settings: a value here used to be silently replaced, leaving the operator with the wrong belief.
QString environmentKeyError(const QString &where)
{
    return QStringLiteral("Koan:Mcp:Environment (%1): not a setting; choose the environment with KOAN_ENVIRONMENT or "
                          "--environment")
        .arg(where);
}
} // namespace

QString OptionsLoader::resolveEnvironment(const OptionsSources &sources)
{
    if (!sources.environment.isEmpty())
        return sources.environment;
    const QString fromEnv = sources.env.value(QStringLiteral("KOAN_ENVIRONMENT"));
    return fromEnv.isEmpty() ? QStringLiteral("Development") : fromEnv;
}

QJsonObject OptionsLoader::deepMerge(const QJsonObject &base, const QJsonObject &over)
{
    QJsonObject out = base;
    for (auto it = over.begin(); it != over.end(); ++it) {
        const QString key = findKey(out, it.key());
        const QJsonValue existing = out.value(key);
        if (existing.isObject() && it.value().isObject())
            out.insert(key, deepMerge(existing.toObject(), it.value().toObject()));
        else {
            out.remove(key);
            out.insert(key, it.value());
        }
    }
    return out;
}

void OptionsLoader::setPath(QJsonObject &root, const QStringList &path, const QJsonValue &value)
{
    if (path.isEmpty())
        return;
    const QString key = findKey(root, path.first());
    if (path.size() == 1) {
        root.insert(key, value);
        return;
    }
    QJsonObject child = root.value(key).toObject();
    setPath(child, path.mid(1), value);
    root.insert(key, child);
}

QJsonObject OptionsLoader::readSection(const QString &file, QStringList *errors, bool *found)
{
    if (found)
        *found = false;
    QFile f(file);
    if (!f.exists())
        return {};
    if (!f.open(QIODevice::ReadOnly)) {
        errors->append(QStringLiteral("%1: cannot read: %2").arg(file, f.errorString()));
        return {};
    }
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject()) {
        errors->append(QStringLiteral("%1: invalid JSON: %2 at offset %3")
                           .arg(file, doc.isObject() || err.error != QJsonParseError::NoError
                                          ? err.errorString()
                                          : QStringLiteral("top level must be an object"))
                           .arg(err.offset));
        return {};
    }
    if (found)
        *found = true;
    // Other top-level sections (Logging, AllowedHosts, …) belong to other readers; under "Koan"
    // everything is ours, so a misspelt "Mpc" or a non-object is an error, not a silent default.
    const QJsonObject root = doc.object();
    const QJsonValue koan = root.value(findKey(root, QStringLiteral("Koan")));
    if (koan.isUndefined())
        return {};
    if (!koan.isObject()) {
        errors->append(QStringLiteral("%1: Koan: must be an object").arg(file));
        return {};
    }
    const QJsonObject koanObject = koan.toObject();
    for (auto it = koanObject.begin(); it != koanObject.end(); ++it)
        if (it.key().compare(QLatin1String("Mcp"), Qt::CaseInsensitive) != 0)
            errors->append(QStringLiteral("%1: Koan:%2: unknown section (expected Koan:Mcp)").arg(file, it.key()));
    const QJsonValue mcp = koanObject.value(findKey(koanObject, QStringLiteral("Mcp")));
    if (!mcp.isUndefined() && !mcp.isObject())
        errors->append(QStringLiteral("%1: Koan:Mcp: must be an object").arg(file));
    return mcp.toObject();
}

QJsonObject OptionsLoader::mergedSection(const OptionsSources &sources, QStringList *errors, QStringList *layers)
{
    const QString environment = resolveEnvironment(sources);
    const QString dir = sources.configDir.isEmpty() ? QDir::currentPath() : sources.configDir;
    QStringList files{QStringLiteral(":/config/appsettings.json")};
    // The built-in Development choices (CORS origins of local tools, dev issuer, ...): only in
    // Development (any case, like McpServerOptions::isDevelopment), below every file of the operator's.
    if (environment.compare(QLatin1String("Development"), Qt::CaseInsensitive) == 0)
        files << QStringLiteral(":/config/appsettings.Development.json");
    files << QDir(dir).filePath(QStringLiteral("appsettings.json"))
          << QDir(dir).filePath(QStringLiteral("appsettings.%1.json").arg(environment));
    if (!sources.userOverrideFile.isEmpty())
        files << sources.userOverrideFile;

    QJsonObject merged;
    for (const QString &file : files) {
        bool found = false;
        const QJsonObject section = readSection(file, errors, &found);
        if (found && layers)
            layers->append(file);
        if (section.contains(findKey(section, QStringLiteral("Environment"))))
            errors->append(environmentKeyError(QStringLiteral("in %1").arg(file)));
        merged = deepMerge(merged, section);
    }
    // KOAN_MCP__Section__Key=value (values stay strings; the binder converts them).
    const QStringList keys = sources.env.keys();
    for (const QString &name : keys) {
        if (!name.startsWith(kEnvPrefix, Qt::CaseInsensitive) || name.size() == kEnvPrefix.size())
            continue;
        const QStringList path = name.mid(kEnvPrefix.size()).split(QStringLiteral("__"));
        if (path.size() == 1 && path.first().compare(QLatin1String("Environment"), Qt::CaseInsensitive) == 0)
            errors->append(environmentKeyError(QStringLiteral("from the environment variable %1").arg(name)));
        setPath(merged, path, sources.env.value(name));
        if (layers)
            layers->append(QStringLiteral("env:") + name);
    }
    for (const auto &[key, value] : sources.cli) {
        if (key.compare(QLatin1String("Environment"), Qt::CaseInsensitive) == 0)
            errors->append(environmentKeyError(QStringLiteral("from --set %1").arg(key)));
        setPath(merged, key.split(QLatin1Char(':')), value);
        if (layers)
            layers->append(QStringLiteral("cli:") + key);
    }
    setPath(merged, {QStringLiteral("Environment")}, environment);
    return merged;
}

McpServerOptions OptionsLoader::load(const OptionsSources &sources, QStringList *errors, QStringList *layers)
{
    return McpServerOptions::fromJson(mergedSection(sources, errors, layers), errors);
}

} // namespace koan
