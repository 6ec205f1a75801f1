#pragma once
// For tests that start the real koan-mcp: an environment whose settings, data and dev-issuer
// keys all stay inside the test's temporary `home`, never the user's.
#include <QProcessEnvironment>
#include <QString>

namespace koan::test {

inline QProcessEnvironment isolatedEnvironment(const QString &home)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HOME"), home);
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/config"));
    env.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/data"));
    return env;
}

} // namespace koan::test
