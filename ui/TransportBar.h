#pragma once
// The prominent EnableHttpSseTransport rollback switch and the state of every transport.
#include "console/ConsoleLink.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTimer;

namespace koan::ui {

class TransportBar : public QWidget
{
    Q_OBJECT
public:
    TransportBar(ConsoleLink *link, QWidget *parent = nullptr);
    void setLegacySessionCount(int count) { m_legacySessions = count; }
    QPushButton *httpSseSwitch() const { return m_switch; }
    QPushButton *cutNowButton() const { return m_cutNow; } // shown while draining

public slots:
    void setStatus(const koan::ServerStatus &status);

private:
    void toggle();
    void cutNow();
    void updateSwitchText();

    ConsoleLink *m_link;
    koan::ServerStatus m_status;
    int m_legacySessions = 0;
    QPushButton *m_switch;
    QPushButton *m_cutNow;
    QTimer *m_countdown; // the drain's remaining seconds
    QLabel *m_state;
};

} // namespace koan::ui
