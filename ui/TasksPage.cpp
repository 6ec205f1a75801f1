#include "TasksPage.h"

#include "ProgressBarDelegate.h"
#include "TasksModel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace koan::ui {

TasksPage::TasksPage(ConsoleLink *link, TasksModel *model, QWidget *parent)
    : QWidget(parent), m_link(link), m_model(model), m_proxy(new QSortFilterProxyModel(this)),
      m_view(new QTableView(this)), m_cancel(new QPushButton(tr("Cancel task…"), this)), m_summary(new QLabel(this)),
      m_feedback(new QLabel(this))
{
    m_proxy->setSourceModel(model);
    m_proxy->setSortRole(TasksModel::SortRole);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_view->setObjectName(QStringLiteral("tasksView"));
    m_view->setAccessibleName(tr("Tasks"));
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(TasksModel::Created, Qt::DescendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setItemDelegateForColumn(TasksModel::Progress, new ProgressBarDelegate(TasksModel::ProgressRole, this));
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(TasksModel::Progress, QHeaderView::Interactive);
    m_view->horizontalHeader()->resizeSection(TasksModel::Progress, 140);
    m_view->horizontalHeader()->setSectionResizeMode(TasksModel::Message, QHeaderView::Stretch);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();

    auto *filter = new QLineEdit(this);
    filter->setObjectName(QStringLiteral("tasksFilter"));
    filter->setAccessibleName(tr("Filter tasks"));
    filter->setPlaceholderText(tr("Filter by tool, status, owner, message, id…"));
    filter->setClearButtonEnabled(true);
    connect(filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    m_cancel->setObjectName(QStringLiteral("cancelTask"));
    m_cancel->setAccessibleName(tr("Cancel the selected task"));
    m_cancel->setToolTip(tr("Cancel the selected running task (any principal's); recorded in the audit trail"));
    connect(m_cancel, &QPushButton::clicked, this, &TasksPage::cancelSelected);
    m_summary->setObjectName(QStringLiteral("tasksSummary"));
    m_feedback->setObjectName(QStringLiteral("tasksFeedback"));
    m_feedback->setWordWrap(true);

    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &TasksPage::updateButtons);
    connect(model, &QAbstractItemModel::dataChanged, this, &TasksPage::updateButtons);
    connect(model, &QAbstractItemModel::modelReset, this, &TasksPage::updateButtons);
    connect(model, &TasksModel::runningCountChanged, this, &TasksPage::updateSummary);

    auto *top = new QHBoxLayout;
    top->addWidget(filter, 1);
    top->addWidget(m_summary);
    top->addWidget(m_cancel);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_view);
    layout->addWidget(m_feedback);
    updateButtons();
    updateSummary();
}

void TasksPage::updateSummary()
{
    m_summary->setText(tr("%n running", nullptr, m_model->runningCount()) + QStringLiteral(" · ")
                       + tr("%n listed", nullptr, m_model->rowCount()));
}

QString TasksPage::selectedTaskId() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.isEmpty() || !rows.first().data(TasksModel::RunningRole).toBool())
        return {};
    return rows.first().data(TasksModel::TaskIdRole).toString();
}

void TasksPage::updateButtons()
{
    m_cancel->setEnabled(!selectedTaskId().isEmpty());
}

void TasksPage::cancelSelected()
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    const QString id = selectedTaskId();
    if (id.isEmpty()) {
        QMessageBox::information(this, tr("Cancel task"), tr("Select a running task first."));
        return;
    }
    const QString tool = rows.first().sibling(rows.first().row(), TasksModel::Tool).data().toString();
    const QString owner = rows.first().sibling(rows.first().row(), TasksModel::Owner).data().toString();
    if (QMessageBox::question(this, tr("Cancel task"),
                              tr("Cancel task %1 (%2, owned by %3)? It stops before its next unit of work; what it "
                                 "has committed stays. The cancel is recorded in the audit trail.")
                                  .arg(id, tool, owner))
        != QMessageBox::Yes)
        return;
    m_feedback->setText(tr("Cancelling %1…").arg(id));
    m_link->cancelTask(id);
}

void TasksPage::cancelAnswered(const QString &taskId, bool ok, const QString &error)
{
    // Cancelled here while the store did not answer: the server's message says what is pending.
    m_feedback->setText(ok ? (error.isEmpty() ? tr("Task %1 cancelled.").arg(taskId) : error)
                           : tr("Task %1 not cancelled: %2").arg(taskId, error));
}

} // namespace koan::ui
