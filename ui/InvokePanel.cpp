#include "InvokePanel.h"

#include "JsonText.h"
#include "SchemaForm.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QVBoxLayout>

namespace koan::ui {

InvokePanel::InvokePanel(ConsoleLink *link, QWidget *parent)
    : QWidget(parent), m_link(link), m_tools(new QComboBox(this)), m_description(new QLabel(this)),
      m_form(new SchemaForm(this)), m_run(new QPushButton(tr("Run"), this)),
      m_cancel(new QPushButton(tr("Cancel call"), this)), m_result(new QPlainTextEdit(this)),
      m_raw(new QPlainTextEdit(this))
{
    m_tools->setObjectName(QStringLiteral("invokeTool"));
    m_tools->setAccessibleName(tr("Tool to invoke"));
    m_run->setObjectName(QStringLiteral("invokeRun"));
    m_cancel->setObjectName(QStringLiteral("invokeCancel"));
    m_cancel->setToolTip(tr("Cancel the running call (notifications/cancelled): the tool stops at its next check"));
    m_cancel->setEnabled(false);
    m_result->setObjectName(QStringLiteral("invokeResult"));
    m_result->setAccessibleName(tr("Invocation result"));
    m_result->setReadOnly(true);
    m_result->setPlaceholderText(tr("The result appears here."));
    m_raw->setObjectName(QStringLiteral("invokeRaw"));
    m_raw->setAccessibleName(tr("Raw JSON-RPC"));
    m_raw->setReadOnly(true);
    m_raw->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_description->setWordWrap(true);
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(m_form);
    scroll->setWidgetResizable(true);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_run, 1);
    buttons->addWidget(m_cancel);
    auto *formSide = new QWidget(this);
    auto *layout = new QVBoxLayout(formSide);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tools);
    layout->addWidget(m_description);
    layout->addWidget(scroll, 2);
    layout->addLayout(buttons);
    layout->addWidget(m_result, 3);
    auto *rawSide = new QWidget(this);
    auto *rawLayout = new QVBoxLayout(rawSide);
    rawLayout->setContentsMargins(0, 0, 0, 0);
    rawLayout->addWidget(new QLabel(tr("Raw JSON-RPC"), rawSide));
    rawLayout->addWidget(m_raw, 1);
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->setObjectName(QStringLiteral("invokeSplitter"));
    split->addWidget(formSide);
    split->addWidget(rawSide);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(split);
    connect(m_tools, &QComboBox::currentIndexChanged, this, &InvokePanel::toolSelected);
    connect(m_run, &QPushButton::clicked, this, &InvokePanel::run);
    connect(m_cancel, &QPushButton::clicked, this, &InvokePanel::cancel);
    connect(m_form, &SchemaForm::edited, this, &InvokePanel::showRaw);
}

void InvokePanel::setTools(const QList<ToolSnapshot> &tools)
{
    const QString current = m_tools->currentText();
    m_toolList = tools;
    QSignalBlocker block(m_tools);
    m_tools->clear();
    for (const auto &t : tools)
        m_tools->addItem(t.name);
    const int keep = m_tools->findText(current);
    m_tools->setCurrentIndex(keep >= 0 ? keep : 0);
    toolSelected(m_tools->currentIndex());
}

void InvokePanel::toolSelected(int index)
{
    if (index < 0 || index >= m_toolList.size())
        return;
    m_description->setText(m_toolList.at(index).description);
    m_form->setSchema(m_toolList.at(index).inputSchema);
    showRaw();
}

void InvokePanel::showRaw()
{
    QStringList problems;
    const QJsonObject args = m_form->arguments(&problems);
    // The id is the server's to choose (console-N): shown as it will be once sent.
    const QJsonObject request{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                              {QStringLiteral("id"), QStringLiteral("console-…")},
                              {QStringLiteral("method"), QStringLiteral("tools/call")},
                              {QStringLiteral("params"), QJsonObject{{QStringLiteral("name"), m_tools->currentText()},
                                                                     {QStringLiteral("arguments"), args}}}};
    QString text = tr("→ Request\n%1").arg(QString::fromUtf8(QJsonDocument(request).toJson(QJsonDocument::Indented)));
    if (!problems.isEmpty())
        text += tr("(incomplete: %1)\n").arg(problems.join(QStringLiteral("; ")));
    text += tr("\n← Last response\n%1")
                .arg(m_lastResponse.isEmpty()
                         ? tr("(none yet)")
                         : QString::fromUtf8(QJsonDocument(m_lastResponse).toJson(QJsonDocument::Indented)));
    m_raw->setPlainText(text);
}

void InvokePanel::run()
{
    QStringList problems;
    const QJsonObject args = m_form->arguments(&problems);
    if (!problems.isEmpty()) {
        m_result->setPlainText(tr("Fix the form first:\n- %1").arg(problems.join(QStringLiteral("\n- "))));
        return;
    }
    const QString tool = m_tools->currentText();
    m_pendingId = QStringLiteral("invoke-%1").arg(m_nextId++);
    m_result->setPlainText(tr("Running %1…").arg(tool));
    m_run->setEnabled(false);
    m_cancel->setEnabled(true);
    m_link->invokeTool(m_pendingId, tool, args);
}

void InvokePanel::cancel()
{
    if (m_pendingId.isEmpty())
        return;
    m_cancel->setEnabled(false);
    m_result->setPlainText(tr("Cancelling %1…").arg(m_tools->currentText()));
    m_link->cancelInvocation(m_pendingId);
}

void InvokePanel::rerun(const QString &tool, const QJsonObject &arguments)
{
    const int index = m_tools->findText(tool);
    if (index < 0) {
        m_result->setPlainText(tr("%1 is not available any more (disabled or renamed).").arg(tool));
        return;
    }
    m_tools->setCurrentIndex(index);
    m_form->setArguments(arguments);
    run();
}

void InvokePanel::showResult(const QString &requestId, const QJsonObject &request, const QJsonObject &response,
                             double durationMs)
{
    if (requestId != m_pendingId)
        return;
    m_pendingId.clear();
    m_run->setEnabled(true);
    m_cancel->setEnabled(false);
    m_lastResponse = response;
    // The request as the server sent it through its dispatcher (its real id), then the answer.
    m_raw->setPlainText(tr("→ Request\n%1\n← Response\n%2")
                            .arg(QString::fromUtf8(QJsonDocument(request).toJson(QJsonDocument::Indented)),
                                 response.isEmpty()
                                     ? tr("(none: a cancelled request is not answered)")
                                     : QString::fromUtf8(QJsonDocument(response).toJson(QJsonDocument::Indented))));
    if (response.isEmpty()) {
        m_result->setPlainText(tr("Cancelled after %1 ms").arg(durationMs, 0, 'f', 2));
        return;
    }
    const bool isError = response.contains(QLatin1String("error"))
                         || response.value(QLatin1String("result")).toObject().value(QLatin1String("isError")).toBool();
    m_result->setPlainText(tr("%1 in %2 ms\n\n%3")
                               .arg(isError ? tr("Error") : tr("OK"))
                               .arg(durationMs, 0, 'f', 2)
                               .arg(readableJson(response)));
}

} // namespace koan::ui
