#pragma once
// Help > About: the application, its version, the Qt it runs on and what the console is attached to.
#include <QDialog>

class QLabel;

namespace koan {
class ConsoleLink;
}

namespace koan::ui {

class AboutDialog : public QDialog
{
    Q_OBJECT
public:
    explicit AboutDialog(const ConsoleLink *link, QWidget *parent = nullptr);
    QString text() const;

private:
    QLabel *m_text;
};

} // namespace koan::ui
