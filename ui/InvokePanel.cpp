#include "InvokePanel.h"

#include "JsonText.h"
#include "SchemaForm.h"

#include <QComboBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

namespace koan::ui {

InvokePanel::InvokePanel(ConsoleLink *link, QWidget *parent)
    : QWidget(parent), m_link(link), m_tools(new QComboBox(this)), m_description(new QLabel(this)),
      m_form(new SchemaForm(this)), m_run(new QPushButton(tr("Run"), this)), m_result(new QPlainTextEdit(this))
{
    m_tools->setObjectName(QStringLiteral("invokeTool"));
    m_run->setObjectName(QStringLiteral("invokeRun"));
    m_result->setObjectName(QStringLiteral("invokeResult"));
    m_result->setReadOnly(true);
    m_result->setPlaceholderText(tr("The result appears here."));
    m_description->setWordWrap(true);
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(m_form);
    scroll->setWidgetResizable(true);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tools);
    layout->addWidget(m_description);
    layout->addWidget(scroll, 2);
    layout->addWidget(m_run);
    layout->addWidget(m_result, 3);
    connect(m_tools, &QComboBox::currentIndexChanged, this, &InvokePanel::toolSelected);
    connect(m_run, &QPushButton::clicked, this, &InvokePanel::run);
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
    m_link->invokeTool(m_pendingId, tool, args);
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

void InvokePanel::showResult(const QString &requestId, const QJsonObject &, const QJsonObject &response,
                             double durationMs)
{
    if (requestId != m_pendingId)
        return;
    m_run->setEnabled(true);
    const bool isError = response.contains(QLatin1String("error"))
                         || response.value(QLatin1String("result")).toObject().value(QLatin1String("isError")).toBool();
    m_result->setPlainText(tr("%1 in %2 ms\n\n%3")
                               .arg(isError ? tr("Error") : tr("OK"))
                               .arg(durationMs, 0, 'f', 2)
                               .arg(readableJson(response)));
}

} // namespace koan::ui
