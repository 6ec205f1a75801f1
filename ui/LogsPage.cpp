#include "LogsPage.h"

#include "LogsModel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace koan::ui {

// Level at or above the chosen one, and the search text in category, session or message.
class LogsFilter : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    void setMinimumSeverity(int severity)
    {
        m_minimum = severity;
        invalidateFilter();
    }
    void setText(const QString &text)
    {
        m_text = text.trimmed();
        invalidateFilter();
    }

protected:
    bool filterAcceptsRow(int row, const QModelIndex &) const override
    {
        const auto *model = static_cast<const LogsModel *>(sourceModel());
        const LogRecord &r = model->record(row);
        if (LogsModel::severity(r.level) < m_minimum)
            return false;
        return m_text.isEmpty() || r.message.contains(m_text, Qt::CaseInsensitive)
               || r.category.contains(m_text, Qt::CaseInsensitive) || r.sessionId.contains(m_text, Qt::CaseInsensitive)
               || r.traceId.contains(m_text, Qt::CaseInsensitive);
    }

private:
    int m_minimum = 0;
    QString m_text;
};

LogsPage::LogsPage(LogsModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_filter(new LogsFilter(this)), m_level(new QComboBox(this)),
      m_search(new QLineEdit(this)), m_count(new QLabel(this)), m_view(new QTableView(this))
{
    m_filter->setSourceModel(model);
    m_level->setObjectName(QStringLiteral("logsLevel"));
    m_level->setAccessibleName(tr("Minimum level"));
    m_level->addItem(tr("All levels"), 0);
    m_level->addItem(tr("Info and above"), 1);
    m_level->addItem(tr("Warnings and errors"), 2);
    m_level->addItem(tr("Errors only"), 3);
    connect(m_level, &QComboBox::currentIndexChanged, this, [this] {
        m_filter->setMinimumSeverity(m_level->currentData().toInt());
        updateCount();
    });
    m_search->setObjectName(QStringLiteral("logsSearch"));
    m_search->setAccessibleName(tr("Search the log"));
    m_search->setPlaceholderText(tr("Search message, category, session…"));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_filter->setText(text);
        updateCount();
    });
    auto *follow = new QCheckBox(tr("Follow"), this);
    follow->setObjectName(QStringLiteral("logsFollow"));
    follow->setChecked(true);
    m_count->setObjectName(QStringLiteral("logsCount"));

    m_view->setObjectName(QStringLiteral("logsView"));
    m_view->setAccessibleName(tr("Log records"));
    m_view->setModel(m_filter);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(LogsModel::Message, QHeaderView::Stretch);
    m_view->setWordWrap(false);
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, [this, follow] {
        if (follow->isChecked())
            m_view->scrollToBottom();
        updateCount();
    });
    connect(m_filter, &QAbstractItemModel::rowsRemoved, this, &LogsPage::updateCount);
    connect(m_filter, &QAbstractItemModel::modelReset, this, &LogsPage::updateCount);

    auto *top = new QHBoxLayout;
    top->addWidget(m_level);
    top->addWidget(m_search, 1);
    top->addWidget(follow);
    top->addWidget(m_count);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_view, 1);
    updateCount();
}

int LogsPage::visibleRows() const
{
    return m_filter->rowCount();
}

void LogsPage::updateCount()
{
    m_count->setText(tr("%1 of %2 records").arg(m_filter->rowCount()).arg(m_model->rowCount()));
}

} // namespace koan::ui
