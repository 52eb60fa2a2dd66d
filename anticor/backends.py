"""Authentication backend: Django's, loading the user's department with the user (it is on every page)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend


class DepartmentModelBackend(ModelBackend):
    def get_user(self, user_id):
        from anticor.models import User

        try:
            user = User._default_manager.select_related("department").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
