#include "ToolCallsPage.h"

#include "CurlCommand.h"
#include "InvokePanel.h"
#include "JsonText.h"
#include "ToolCallJsonl.h"
#include "ToolCallsFilter.h"
#include "ToolCallsModel.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFileDialog>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace koan::ui {

ToolCallsPage::ToolCallsPage(ConsoleLink *link, ToolCallsModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_filter(new ToolCallsFilter(this)), m_view(new QTableView(this)),
      m_details(new QPlainTextEdit(this)), m_invoke(new InvokePanel(link, this)), m_search(new QLineEdit(this)),
      m_toolBox(new QComboBox(this)), m_sessionBox(new QComboBox(this)), m_subjectBox(new QComboBox(this)),
      m_outcomeBox(new QComboBox(this)), m_pin(new QPushButton(tr("Pin"), this)), m_feedback(new QLabel(this))
{
    m_filter->setSourceModel(model);
    m_view->setObjectName(QStringLiteral("toolCallsView"));
    m_view->setAccessibleName(tr("Tool calls"));
    m_view->setModel(m_filter);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setWordWrap(false);
    m_details->setObjectName(QStringLiteral("toolCallDetails"));
    m_details->setAccessibleName(tr("Selected call"));
    m_details->setReadOnly(true);
    m_details->setPlaceholderText(tr("Select a call to see its request and response."));
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &ToolCallsPage::showDetails);
    connect(model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &, int first, int last) {
        rowsArrived(first, last);
        m_view->scrollToBottom();
    });
    connect(model, &QAbstractItemModel::dataChanged, this, &ToolCallsPage::showDetails);

    // The filter bar: each choice lists what arrived so far; "" matches every call.
    m_search->setObjectName(QStringLiteral("toolCallsSearch"));
    m_search->setProperty("findField", true); // Edit > Find (Ctrl+F) lands here
    m_search->setAccessibleName(tr("Search tool calls"));
    m_search->setPlaceholderText(tr("Search arguments, responses, trace ids…"));
    m_search->setClearButtonEnabled(true);
    const struct {
        QComboBox *box;
        const char *name;
        QString all, accessible;
    } boxes[] = {{m_toolBox, "toolCallsToolFilter", tr("All tools"), tr("Filter by tool")},
                 {m_sessionBox, "toolCallsSessionFilter", tr("All sessions"), tr("Filter by session or caller")},
                 {m_subjectBox, "toolCallsSubjectFilter", tr("All subjects"), tr("Filter by subject")},
                 {m_outcomeBox, "toolCallsOutcomeFilter", tr("All outcomes"), tr("Filter by outcome")}};
    for (const auto &b : boxes) {
        b.box->setObjectName(QLatin1String(b.name));
        b.box->setAccessibleName(b.accessible);
        b.box->addItem(b.all, QString());
        b.box->setSizeAdjustPolicy(QComboBox::AdjustToContents);
        connect(b.box, &QComboBox::currentIndexChanged, this, &ToolCallsPage::filtersChanged);
    }
    for (const char *outcome : {"ok", "tool_error", "rpc_error", "cancelled", "input_required", "task"})
        addChoice(m_outcomeBox, QLatin1String(outcome), ToolCallsModel::outcomeText(QLatin1String(outcome)));
    connect(m_search, &QLineEdit::textChanged, m_filter, &ToolCallsFilter::setText);
    auto *filterBar = new QHBoxLayout;
    filterBar->addWidget(m_search, 2);
    for (const auto &b : boxes)
        filterBar->addWidget(b.box, 1);

    auto *rerun = new QPushButton(tr("Replay"), this);
    rerun->setObjectName(QStringLiteral("toolCallRerun"));
    rerun->setToolTip(tr("Run the selected call again as the operator, with the same arguments"));
    connect(rerun, &QPushButton::clicked, this, &ToolCallsPage::rerunSelected);
    m_pin->setObjectName(QStringLiteral("toolCallPin"));
    m_pin->setToolTip(tr("Pinned calls stay at the top and are never dropped from the history"));
    connect(m_pin, &QPushButton::clicked, this, &ToolCallsPage::togglePinSelected);
    auto *curl = new QPushButton(tr("Copy as curl"), this);
    curl->setObjectName(QStringLiteral("toolCallCurl"));
    curl->setToolTip(tr("The selected call as a curl command for its protocol era; the token is $KOAN_TOKEN"));
    connect(curl, &QPushButton::clicked, this, &ToolCallsPage::copySelectedAsCurl);
    auto *exportButton = new QPushButton(tr("Export JSONL…"), this);
    exportButton->setObjectName(QStringLiteral("toolCallsExport"));
    exportButton->setToolTip(tr("Save the calls the filter shows, one JSON object a line"));
    connect(exportButton, &QPushButton::clicked, this, &ToolCallsPage::exportWithDialog);
    m_feedback->setObjectName(QStringLiteral("toolCallsFeedback"));
    auto *actions = new QHBoxLayout;
    actions->addWidget(rerun);
    actions->addWidget(m_pin);
    actions->addWidget(curl);
    actions->addWidget(exportButton);
    actions->addWidget(m_feedback, 1);

    auto *history = new QWidget(this);
    auto *historyLayout = new QVBoxLayout(history);
    historyLayout->setContentsMargins(0, 0, 0, 0);
    historyLayout->addLayout(filterBar);
    auto *split = new QSplitter(Qt::Vertical, history);
    split->setObjectName(QStringLiteral("toolCallsHistorySplitter")); // its state is remembered under this name
    split->addWidget(m_view);
    split->addWidget(m_details);
    historyLayout->addWidget(split);
    historyLayout->addLayout(actions);
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
    rowsArrived(0, model->rowCount() - 1);
}

void ToolCallsPage::setServerStatus(const ServerStatus &status)
{
    m_status = status;
}

void ToolCallsPage::addChoice(QComboBox *box, const QString &value, const QString &text)
{
    if (value.isEmpty() || box->findData(value) >= 0)
        return;
    box->addItem(text, value);
}

void ToolCallsPage::rowsArrived(int first, int last)
{
    for (int row = first; row <= last; ++row) {
        const ToolCallRecord &r = m_model->record(row);
        addChoice(m_toolBox, r.tool, r.tool);
        addChoice(m_sessionBox, ToolCallsModel::sessionKey(r), ToolCallsModel::sessionKey(r));
        addChoice(m_subjectBox, r.subject, r.subject);
    }
}

void ToolCallsPage::filtersChanged()
{
    m_filter->setTool(m_toolBox->currentData().toString());
    m_filter->setSession(m_sessionBox->currentData().toString());
    m_filter->setSubject(m_subjectBox->currentData().toString());
    m_filter->setOutcome(m_outcomeBox->currentData().toString());
}

int ToolCallsPage::selectedSourceRow() const
{
    const QModelIndex current = m_view->currentIndex();
    return current.isValid() ? m_filter->mapToSource(current).row() : -1;
}

void ToolCallsPage::showDetails()
{
    const int row = selectedSourceRow();
    if (row < 0)
        return;
    const ToolCallRecord &r = m_model->record(row);
    m_pin->setText(m_model->isPinned(row) ? tr("Unpin") : tr("Pin"));
    m_details->setPlainText(
        tr("%1 · %2 · %3 · %4 ms · %5\nSubject: %6 · trace id: %7\n\nRequest:\n%8\nResponse:\n%9")
            .arg(ToolCallsModel::sessionKey(r), ToolCallsModel::eraText(r),
                 r.time.toLocalTime().toString(Qt::ISODateWithMs))
            .arg(r.durationMs, 0, 'f', 2)
            .arg(ToolCallsModel::outcomeText(r.outcome), r.subject.isEmpty() ? tr("(none)") : r.subject,
                 r.traceId.isEmpty() ? tr("(none)") : r.traceId,
                 readableJson(r.request.isEmpty() ? QJsonObject{{QStringLiteral("name"), r.tool},
                                                                {QStringLiteral("arguments"), r.arguments}}
                                                  : r.request),
                 r.response.isEmpty() && !r.result.isEmpty() ? readableJson(r.result)
                 : r.response.isEmpty()                      ? tr("(none: a cancelled request is not answered)")
                                                             : readableJson(r.response)));
    m_details->moveCursor(QTextCursor::Start); // the summary line first, however long the JSON
}

void ToolCallsPage::rerunSelected()
{
    const int row = selectedSourceRow();
    if (row < 0)
        return;
    const ToolCallRecord &r = m_model->record(row);
    m_invoke->rerun(r.tool, r.arguments);
}

void ToolCallsPage::togglePinSelected()
{
    const int row = selectedSourceRow();
    if (row < 0)
        return;
    m_model->setPinned(row, !m_model->isPinned(row));
    m_view->scrollTo(m_view->currentIndex());
}

QString ToolCallsPage::copySelectedAsCurl()
{
    const int row = selectedSourceRow();
    if (row < 0)
        return {};
    const ToolCallRecord &r = m_model->record(row);
    const QString command = CurlCommand::forCall(r, m_status.baseUrl, m_status.route,
                                                 m_status.authenticationRequired || !r.subject.isEmpty());
    QApplication::clipboard()->setText(command);
    m_feedback->setText(tr("curl command copied (set KOAN_TOKEN first)"));
    return command;
}

QList<ToolCallRecord> ToolCallsPage::visibleRecords() const
{
    QList<ToolCallRecord> out;
    for (int row = 0; row < m_filter->rowCount(); ++row)
        out.append(m_model->record(m_filter->mapToSource(m_filter->index(row, 0)).row()));
    return out;
}

bool ToolCallsPage::exportJsonl(const QString &path, QString *error)
{
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly) || out.write(toolCallsToJsonl(visibleRecords())) < 0 || !out.commit()) {
        *error = out.errorString();
        return false;
    }
    return true;
}

void ToolCallsPage::exportWithDialog()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export tool calls"), QStringLiteral("tool-calls.jsonl"),
                                                      tr("JSON Lines (*.jsonl)"));
    if (path.isEmpty())
        return;
    QString error;
    m_feedback->setText(exportJsonl(path, &error) ? tr("%n call(s) exported", nullptr, m_filter->rowCount())
                                                  : tr("Export failed: %1").arg(error));
}

} // namespace koan::ui
