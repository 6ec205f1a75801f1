#pragma once
// Tasks: every principal's tasks (running and finished) with tool, status, progress, owner and
// times, live; the selected running task can be cancelled (in-process or attached alike).
#include "console/ConsoleLink.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace koan::ui {

class TasksModel;

class TasksPage : public QWidget
{
    Q_OBJECT
public:
    TasksPage(ConsoleLink *link, TasksModel *model, QWidget *parent = nullptr);
    QTableView *view() const { return m_view; }
    QPushButton *cancelButton() const { return m_cancel; }
    QLabel *feedback() const { return m_feedback; }
    // Asks for confirmation, then cancels the selected task.
    void cancelSelected();

public slots:
    void cancelAnswered(const QString &taskId, bool ok, const QString &error);

private:
    QString selectedTaskId() const; // empty unless a running task is selected
    void updateButtons();
    void updateSummary();

    ConsoleLink *m_link;
    TasksModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_view;
    QPushButton *m_cancel;
    QLabel *m_summary;
    QLabel *m_feedback;
};

} // namespace koan::ui
