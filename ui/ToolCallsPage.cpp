#include "ToolCallsPage.h"

#include "InvokePanel.h"
#include "JsonText.h"
#include "ToolCallsModel.h"

#include <QGroupBox>
#include <QHeaderView>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace koan::ui {

ToolCallsPage::ToolCallsPage(ConsoleLink *link, ToolCallsModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_view(new QTableView(this)), m_details(new QPlainTextEdit(this)),
      m_invoke(new InvokePanel(link, this))
{
    m_view->setObjectName(QStringLiteral("toolCallsView"));
    m_view->setModel(model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setWordWrap(false);
    m_details->setObjectName(QStringLiteral("toolCallDetails"));
    m_details->setReadOnly(true);
    m_details->setPlaceholderText(tr("Select a call to see its request and response."));
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &ToolCallsPage::showDetails);
    connect(model, &QAbstractItemModel::rowsInserted, m_view, [this] { m_view->scrollToBottom(); });
    auto *rerun = new QPushButton(tr("Re-run selected call"), this);
    rerun->setObjectName(QStringLiteral("toolCallRerun"));
    connect(rerun, &QPushButton::clicked, this, &ToolCallsPage::rerunSelected);

    auto *history = new QWidget(this);
    auto *historyLayout = new QVBoxLayout(history);
    historyLayout->setContentsMargins(0, 0, 0, 0);
    auto *split = new QSplitter(Qt::Vertical, history);
    split->setObjectName(QStringLiteral("toolCallsHistorySplitter")); // its state is remembered under this name
    split->addWidget(m_view);
    split->addWidget(m_details);
    historyLayout->addWidget(split);
    historyLayout->addWidget(rerun);
    auto *invokeBox = new QGroupBox(tr("Invoke a tool as the operator"), this);
    auto *invokeLayout = new QVBoxLayout(invokeBox);
    invokeLayout->addWidget(m_invoke);
    auto *main = new QSplitter(Qt::Horizontal, this);
    main->setObjectName(QStringLiteral("toolCallsSplitter"));
    main->addWidget(history);
    main->addWidget(invokeBox);
    main->setStretchFactor(0, 3);
    main->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(main);
}

void ToolCallsPage::showDetails()
{
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid())
        return;
    const ToolCallRecord &r = m_model->record(current.row());
    const QJsonObject request{{QStringLiteral("name"), r.tool}, {QStringLiteral("arguments"), r.arguments}};
    m_details->setPlainText(tr("Session %1 · %2 · %3 ms\n\nRequest:\n%4\nResponse:\n%5")
                                .arg(r.sessionId, r.time.toLocalTime().toString(Qt::ISODateWithMs))
                                .arg(r.durationMs, 0, 'f', 2)
                                .arg(readableJson(request), readableJson(r.result)));
    m_details->moveCursor(QTextCursor::Start); // the summary line first, however long the JSON
}

void ToolCallsPage::rerunSelected()
{
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid())
        return;
    const ToolCallRecord &r = m_model->record(current.row());
    m_invoke->rerun(r.tool, r.arguments);
}

} // namespace koan::ui
