#pragma once
// What the console remembers between runs (QSettings under the organization and application names
// main() sets): the window's geometry and dock/toolbar state, the current page, and every named
// splitter and table header inside it.
class QMainWindow;
class QTabWidget;

namespace koan::ui {

class WindowSettings
{
public:
    static void restore(QMainWindow *window, QTabWidget *pages); // what was never saved stays as built
    static void save(const QMainWindow *window, const QTabWidget *pages);
};

} // namespace koan::ui
