#include "WindowSettings.h"

#include <QHeaderView>
#include <QMainWindow>
#include <QSettings>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>

namespace koan::ui {

namespace {
const QString kGeometry = QStringLiteral("console/geometry");
const QString kState = QStringLiteral("console/windowState");
const QString kPage = QStringLiteral("console/page");
QString splitterKey(const QSplitter *s)
{
    return QStringLiteral("splitters/") + s->objectName();
}
QString columnsKey(const QTableView *v)
{
    return QStringLiteral("columns/") + v->objectName();
}
QString columnCountKey(const QTableView *v)
{
    return columnsKey(v) + QStringLiteral("Count");
}
int columnCount(const QTableView *v)
{
    return v->model() ? v->model()->columnCount() : 0;
}
} // namespace

void WindowSettings::restore(QMainWindow *window, QTabWidget *pages)
{
    QSettings settings;
    if (settings.contains(kGeometry))
        window->restoreGeometry(settings.value(kGeometry).toByteArray());
    if (settings.contains(kState))
        window->restoreState(settings.value(kState).toByteArray());
    const int page = settings.value(kPage, -1).toInt();
    if (page >= 0 && page < pages->count())
        pages->setCurrentIndex(page);
    for (QSplitter *s : window->findChildren<QSplitter *>()) {
        if (!s->objectName().isEmpty() && settings.contains(splitterKey(s)))
            s->restoreState(settings.value(splitterKey(s)).toByteArray());
    }
    // A header saved with another number of columns (the model changed since) would misplace them.
    for (QTableView *v : window->findChildren<QTableView *>()) {
        if (!v->objectName().isEmpty() && settings.contains(columnsKey(v))
            && settings.value(columnCountKey(v)).toInt() == columnCount(v))
            v->horizontalHeader()->restoreState(settings.value(columnsKey(v)).toByteArray());
    }
}

void WindowSettings::save(const QMainWindow *window, const QTabWidget *pages)
{
    QSettings settings;
    settings.setValue(kGeometry, window->saveGeometry());
    settings.setValue(kState, window->saveState());
    settings.setValue(kPage, pages->currentIndex());
    for (const QSplitter *s : window->findChildren<QSplitter *>()) {
        if (!s->objectName().isEmpty())
            settings.setValue(splitterKey(s), s->saveState());
    }
    for (const QTableView *v : window->findChildren<QTableView *>()) {
        if (v->objectName().isEmpty() || columnCount(v) == 0)
            continue;
        settings.setValue(columnsKey(v), v->horizontalHeader()->saveState());
        settings.setValue(columnCountKey(v), columnCount(v));
    }
}

} // namespace koan::ui
