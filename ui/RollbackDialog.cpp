#include "RollbackDialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace koan::ui {

RollbackDialog::RollbackDialog(int legacySessions, QWidget *parent)
    : QDialog(parent), m_text(new QLabel(this)), m_drain(new QRadioButton(tr("&Drain"), this)),
      m_cut(new QRadioButton(tr("&Cut now"), this)), m_seconds(new QSpinBox(this)), m_reason(new QLineEdit(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("rollbackDialog"));
    m_text->setObjectName(QStringLiteral("rollbackQuestion"));
    m_text->setWordWrap(true);
    m_text->setText(tr("Turn EnableHttpSseTransport off?\n\n%n active legacy session(s) will end. New HTTP+SSE "
                       "requests get 503 until it is turned on again; STDIO keeps working.",
                       nullptr, legacySessions));
    m_drain->setObjectName(QStringLiteral("rollbackDrain"));
    m_drain->setToolTip(tr("New legacy streams are refused at once; open ones may finish within the timeout, then "
                           "they are closed."));
    m_cut->setObjectName(QStringLiteral("rollbackCut"));
    m_cut->setToolTip(tr("Open legacy streams receive a final event and are closed now."));
    m_drain->setChecked(true);
    m_seconds->setObjectName(QStringLiteral("rollbackDrainSeconds"));
    m_seconds->setRange(1, HttpSseSwitch::kMaxDrainSeconds);
    m_seconds->setValue(60);
    m_seconds->setSuffix(tr(" s"));
    m_seconds->setAccessibleName(tr("Drain timeout"));
    m_reason->setObjectName(QStringLiteral("rollbackReason"));
    m_reason->setPlaceholderText(tr("Why? (recorded in the audit trail with your name)"));
    m_reason->setAccessibleName(tr("Reason"));
    m_reason->setMaxLength(500);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Turn off"));

    auto *form = new QFormLayout;
    auto *modes = new QVBoxLayout;
    modes->addWidget(m_drain);
    modes->addWidget(m_cut);
    form->addRow(tr("How:"), modes);
    form->addRow(tr("Drain timeout:"), m_seconds);
    form->addRow(tr("Reason:"), m_reason);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_text);
    layout->addLayout(form);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_reason, &QLineEdit::textChanged, this, &RollbackDialog::update);
    connect(m_drain, &QRadioButton::toggled, this, &RollbackDialog::update);
    m_reason->setFocus();
    update();
}

QPushButton *RollbackDialog::okButton() const
{
    return m_buttons->button(QDialogButtonBox::Ok);
}

QString RollbackDialog::question() const
{
    return m_text->text();
}

void RollbackDialog::update()
{
    // A reason is required: it is what the next operator reads in the audit trail.
    okButton()->setEnabled(!m_reason->text().trimmed().isEmpty());
    m_seconds->setEnabled(m_drain->isChecked());
}

HttpSseSwitch RollbackDialog::request() const
{
    HttpSseSwitch r;
    r.enabled = false;
    r.mode = m_drain->isChecked() ? HttpSseSwitch::Mode::Drain : HttpSseSwitch::Mode::Cut;
    r.drainSeconds = m_seconds->value();
    r.reason = m_reason->text().trimmed();
    return r;
}

} // namespace koan::ui
