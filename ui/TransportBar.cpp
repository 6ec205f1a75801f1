#include "TransportBar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>

namespace koan::ui {

TransportBar::TransportBar(ServerLink link, QWidget *parent)
    : QWidget(parent), m_link(link), m_switch(new QPushButton(this)), m_state(new QLabel(this))
{
    m_switch->setObjectName(QStringLiteral("httpSseSwitch"));
    m_switch->setCheckable(true);
    m_switch->setMinimumHeight(36);
    m_state->setObjectName(QStringLiteral("transportState"));
    m_state->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_state->setWordWrap(true); // long URLs and German labels must not clip
    auto *layout = new QHBoxLayout(this);
    layout->addWidget(m_switch);
    layout->addWidget(m_state, 1);
    // The button reflects the server's state; a click asks for a change.
    connect(m_switch, &QPushButton::clicked, this, [this] {
        m_switch->setChecked(m_status.httpSseEnabled);
        toggle();
    });
}

void TransportBar::toggle()
{
    const bool enable = !m_status.httpSseEnabled;
    if (!enable) {
        const auto answer = QMessageBox::warning(
            this, tr("Disable HTTP+SSE transport"),
            tr("Turn EnableHttpSseTransport off?\n\n%n active legacy session(s) will receive a final event and be "
               "closed; new HTTP+SSE requests will get 503 until it is turned on again. STDIO keeps working.",
               nullptr, m_legacySessions),
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer != QMessageBox::Yes)
            return;
    }
    AdminController *admin = m_link.admin;
    m_link.command([admin, enable] { admin->setHttpSseEnabled(enable); });
}

void TransportBar::setStatus(const ServerStatus &status)
{
    m_status = status;
    m_switch->setChecked(status.httpSseEnabled);
    m_switch->setText(status.httpSseEnabled ? tr("EnableHttpSseTransport: ON") : tr("EnableHttpSseTransport: OFF"));
    m_switch->setStyleSheet(
        status.httpSseEnabled
            ? QStringLiteral("QPushButton{background:#2e7d32;color:white;font-weight:bold;padding:0 16px}")
            : QStringLiteral("QPushButton{background:#c62828;color:white;font-weight:bold;padding:0 16px}"));
    const auto state = [](bool on) { return on ? tr("on") : tr("off"); };
    const QString base = status.baseUrl.isEmpty() ? tr("(not listening)") : status.baseUrl;
    m_state->setText(
        tr("HTTP+SSE %1: %2%3/sse   |   Streamable HTTP %4: %2%3   |   STDIO %5: koan-mcp --stdio   |   bind %6")
            .arg(state(status.httpSseEnabled), base, status.route, state(status.streamableEnabled),
                 state(status.stdioEnabled), status.bindAddress));
}

} // namespace koan::ui
