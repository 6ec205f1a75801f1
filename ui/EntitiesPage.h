#pragma once
// Entities & overrides: the editable options table, applied live and persisted by the server,
// and the record browser (records, their versions and the diff between two).
#include "console/ConsoleLink.h"

#include <QWidget>

class QLabel;
class QTabWidget;
class QTableView;

namespace koan::ui {

class EntityOverridesModel;
class RecordBrowser;

class EntitiesPage : public QWidget
{
    Q_OBJECT
public:
    EntitiesPage(ConsoleLink *link, EntityOverridesModel *model, QWidget *parent = nullptr);
    QTableView *view() const { return m_view; }
    QLabel *message() const { return m_message; }
    RecordBrowser *recordBrowser() const { return m_records; }
    QTabWidget *sections() const { return m_sections; }

public slots:
    void applied(const QString &entity, bool ok, const QString &error);

private:
    QTableView *m_view;
    QLabel *m_message;
    RecordBrowser *m_records;
    QTabWidget *m_sections;
};

} // namespace koan::ui
