#include "SessionHistoryPage.h"

#include "SessionHistoryModel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace koan::ui {

SessionHistoryPage::SessionHistoryPage(SessionHistoryModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_text(new QSortFilterProxyModel(this)),
      m_byReason(new QSortFilterProxyModel(this)), m_view(new QTableView(this)), m_filter(new QLineEdit(this)),
      m_reason(new QComboBox(this)), m_summary(new QLabel(this))
{
    // Reason first (exact key), then free text over every column.
    m_byReason->setSourceModel(model);
    m_byReason->setFilterRole(SessionHistoryModel::ReasonKeyRole);
    m_byReason->setFilterKeyColumn(SessionHistoryModel::Reason);
    m_text->setSourceModel(m_byReason);
    m_text->setSortRole(Qt::UserRole);
    m_text->setFilterKeyColumn(-1);
    m_text->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_view->setObjectName(QStringLiteral("sessionHistoryView"));
    m_view->setAccessibleName(tr("Ended sessions"));
    m_view->setModel(m_text);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(SessionHistoryModel::Ended, Qt::DescendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(SessionHistoryModel::Client, QHeaderView::Stretch);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();

    m_filter->setObjectName(QStringLiteral("sessionHistoryFilter"));
    m_filter->setAccessibleName(tr("Filter session history"));
    m_filter->setPlaceholderText(tr("Filter by id, transport, client, subject, remote…"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_text->setFilterFixedString(text);
        updateSummary();
    });
    m_reason->setObjectName(QStringLiteral("sessionHistoryReason"));
    m_reason->addItem(tr("All reasons"), QString());
    for (EndReason kind : {EndReason::ClientClosed, EndReason::Deleted, EndReason::IdleTimeout, EndReason::SlowReader,
                           EndReason::TokenExpired, EndReason::Operator, EndReason::TransportDisabled,
                           EndReason::Drained, EndReason::Shutdown, EndReason::InitializeFailed, EndReason::Other})
        m_reason->addItem(SessionHistoryModel::describe(kind), SessionHistory::reasonKey(kind));
    connect(m_reason, &QComboBox::currentIndexChanged, this, [this] {
        const QString key = m_reason->currentData().toString();
        m_byReason->setFilterRegularExpression(
            key.isEmpty() ? QString() : QStringLiteral("^%1$").arg(QRegularExpression::escape(key)));
        updateSummary();
    });
    m_summary->setObjectName(QStringLiteral("sessionHistorySummary"));
    connect(model, &QAbstractItemModel::rowsInserted, this, &SessionHistoryPage::updateSummary);
    connect(model, &QAbstractItemModel::modelReset, this, &SessionHistoryPage::updateSummary);
    connect(m_text, &QAbstractItemModel::layoutChanged, this, &SessionHistoryPage::updateSummary);

    auto *top = new QHBoxLayout;
    top->addWidget(m_filter, 1);
    top->addWidget(m_reason);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_summary);
    updateSummary();
}

void SessionHistoryPage::updateSummary()
{
    m_summary->setText(tr("%1 of %2 ended session(s) shown (the server keeps the last %3)")
                           .arg(m_text->rowCount())
                           .arg(m_model->rowCount())
                           .arg(m_model->capacity()));
}

} // namespace koan::ui
