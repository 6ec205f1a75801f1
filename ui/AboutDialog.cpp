#include "AboutDialog.h"

#include "console/ConsoleLink.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace koan::ui {

AboutDialog::AboutDialog(const ConsoleLink *link, QWidget *parent) : QDialog(parent), m_text(new QLabel(this))
{
    setWindowTitle(tr("About Koan MCP console"));
    setAccessibleName(tr("About Koan MCP console"));
    const QString attachedTo
        = link->isRemote() ? tr("attached to %1").arg(link->target()) : tr("the server in this process");
    m_text->setObjectName(QStringLiteral("aboutText"));
    m_text->setTextFormat(Qt::PlainText);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_text->setText(tr("Koan MCP console %1\nQt %2 (built with %3)\nConsole of %4")
                        .arg(QStringLiteral(KOAN_MCP_VERSION), QString::fromLatin1(qVersion()),
                             QStringLiteral(QT_VERSION_STR), attachedTo));
    m_text->setAccessibleName(tr("Application, versions and attached server"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->setObjectName(QStringLiteral("aboutButtons"));
    buttons->button(QDialogButtonBox::Close)->setAccessibleName(tr("Close the About dialog"));
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_text);
    layout->addWidget(buttons);
}

QString AboutDialog::text() const
{
    return m_text->text();
}

} // namespace koan::ui
