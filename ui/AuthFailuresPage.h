#pragma once
// Auth failures: live log with filter and clear.
#include <QWidget>

namespace koan::ui {

class AuthFailuresModel;

class AuthFailuresPage : public QWidget
{
    Q_OBJECT
public:
    AuthFailuresPage(AuthFailuresModel *model, QWidget *parent = nullptr);
};

} // namespace koan::ui
