#pragma once
// Layers settings like .NET configuration: embedded defaults < embedded Development choices
// (Development only) < appsettings.json <
// appsettings.{Environment}.json < the user's override file < KOAN_MCP__* environment variables <
// command-line settings. Keys match case-insensitively.
#include "McpServerOptions.h"

#include <QJsonObject>
#include <QPair>
#include <QProcessEnvironment>
#include <QStringList>

namespace koan {

struct OptionsSources {
    QString configDir;        // where appsettings*.json live; empty: current directory
    QString environment;      // explicit (CLI); empty: KOAN_ENVIRONMENT or Development
    QString userOverrideFile; // written by the console; optional
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    QList<QPair<QString, QString>> cli; // "Section:Key" (relative to Koan:Mcp) -> value
};

class OptionsLoader
{
public:
    // Returns the merged "Koan:Mcp" section; appends problems (bad JSON, ...) to `errors`.
    static QJsonObject mergedSection(const OptionsSources &sources, QStringList *errors, QStringList *layers = nullptr);
    static McpServerOptions load(const OptionsSources &sources, QStringList *errors, QStringList *layers = nullptr);

    static QString resolveEnvironment(const OptionsSources &sources);
    static QJsonObject deepMerge(const QJsonObject &base, const QJsonObject &over);
    // Sets `value` at a ':'-separated path, creating objects; keys match case-insensitively.
    static void setPath(QJsonObject &root, const QStringList &path, const QJsonValue &value);
    // Reads the "Koan:Mcp" section of one settings file. Missing file: empty, no error.
    static QJsonObject readSection(const QString &file, QStringList *errors, bool *found = nullptr);
};

} // namespace koan
