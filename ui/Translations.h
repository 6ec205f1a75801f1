#pragma once
// Installs the console's translation for a locale (embedded :/i18n/koan_*.qm) and Qt's own
// (dialog buttons, context menus) from the system's qt6-translations-l10n.
#include <QLocale>

class QCoreApplication;

namespace koan::ui {

// Returns true when the console's own translation for `locale` was found.
bool installTranslations(QCoreApplication *app, const QLocale &locale = QLocale());

} // namespace koan::ui
