#include "TransportBar.h"

#include "RollbackDialog.h"

#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTimer>

namespace koan::ui {

TransportBar::TransportBar(ConsoleLink *link, QWidget *parent)
    : QWidget(parent), m_link(link), m_switch(new QPushButton(this)), m_cutNow(new QPushButton(tr("Cut now…"), this)),
      m_countdown(new QTimer(this)), m_state(new QLabel(this))
{
    m_cutNow->setObjectName(QStringLiteral("httpSseCutNow"));
    m_cutNow->setToolTip(tr("End the drain: close the legacy streams still open now"));
    m_cutNow->hide();
    connect(m_cutNow, &QPushButton::clicked, this, &TransportBar::cutNow);
    m_countdown->setInterval(1000);
    connect(m_countdown, &QTimer::timeout, this, &TransportBar::updateSwitchText);
    m_switch->setObjectName(QStringLiteral("httpSseSwitch"));
    m_switch->setCheckable(true);
    m_switch->setMinimumHeight(36);
    m_state->setObjectName(QStringLiteral("transportState"));
    m_state->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_state->setWordWrap(true); // long URLs and German labels must not clip
    auto *layout = new QHBoxLayout(this);
    layout->addWidget(m_switch);
    layout->addWidget(m_cutNow);
    layout->addWidget(m_state, 1);
    // The button reflects the server's state; a click asks for a change.
    connect(m_switch, &QPushButton::clicked, this, [this] {
        m_switch->setChecked(m_status.httpSseEnabled);
        toggle();
    });
}

void TransportBar::toggle()
{
    if (m_status.httpSseEnabled) {
        RollbackDialog dialog(m_legacySessions, this);
        dialog.setWindowTitle(tr("Disable HTTP+SSE transport"));
        if (dialog.exec() != QDialog::Accepted)
            return;
        m_link->setHttpSse(dialog.request());
        return;
    }
    // Turning it on (also during a drain) needs no confirmation.
    m_link->setHttpSse(HttpSseSwitch{}); // enabled
}

void TransportBar::cutNow()
{
    bool ok = false;
    const QString reason
        = QInputDialog::getText(
              this, tr("Cut the drain short"),
              tr("Close the %1 legacy stream(s) still draining now?\n\nReason:").arg(m_status.httpSseStreams),
              QLineEdit::Normal, QString(), &ok)
              .trimmed();
    if (!ok || reason.isEmpty())
        return;
    HttpSseSwitch request;
    request.enabled = false;
    request.mode = HttpSseSwitch::Mode::Cut;
    request.reason = reason;
    m_link->setHttpSse(request);
}

void TransportBar::updateSwitchText()
{
    if (m_status.httpSseEnabled)
        m_switch->setText(tr("EnableHttpSseTransport: ON"));
    else if (m_status.httpSseDraining)
        m_switch->setText(tr("EnableHttpSseTransport: OFF (draining, %1 s left)")
                              .arg(qMax<qint64>(0, QDateTime::currentDateTimeUtc().secsTo(m_status.drainDeadline))));
    else
        m_switch->setText(tr("EnableHttpSseTransport: OFF"));
}

void TransportBar::setStatus(const ServerStatus &status)
{
    m_status = status;
    m_switch->setChecked(status.httpSseEnabled);
    updateSwitchText();
    m_cutNow->setVisible(status.httpSseDraining);
    if (status.httpSseDraining)
        m_countdown->start();
    else
        m_countdown->stop();
    m_switch->setStyleSheet(
        status.httpSseEnabled
            ? QStringLiteral("QPushButton{background:#2e7d32;color:white;font-weight:bold;padding:0 16px}")
        : status.httpSseDraining
            ? QStringLiteral("QPushButton{background:#ef6c00;color:white;font-weight:bold;padding:0 16px}")
            : QStringLiteral("QPushButton{background:#c62828;color:white;font-weight:bold;padding:0 16px}"));
    const auto state = [](bool on) { return on ? tr("on") : tr("off"); };
    const QString base = status.baseUrl.isEmpty() ? tr("(not listening)") : status.baseUrl;
    m_state->setText(
        tr("HTTP+SSE %1: %2%3/sse   |   Streamable HTTP %4: %2%3   |   STDIO %5: koan-mcp --stdio   |   bind %6")
            .arg(state(status.httpSseEnabled), base, status.route, state(status.streamableEnabled),
                 state(status.stdioEnabled), status.bindAddress));
}

} // namespace koan::ui
