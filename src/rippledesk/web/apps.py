from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "rippledesk.web"
    label = "web"

    def ready(self) -> None:
        # Cached page-frame lists (web/frame_cache.py) follow the rows they list.
        from django.db.models.signals import m2m_changed, post_delete, post_save  # noqa: PLC0415

        from rippledesk.channels.models import ChannelAccount  # noqa: PLC0415
        from rippledesk.web.frame_cache import forget_all  # noqa: PLC0415
        from rippledesk.workspaces.models import Membership, Team, Workspace  # noqa: PLC0415

        for model in (Workspace, Membership, Team, ChannelAccount):
            post_save.connect(forget_all, sender=model, dispatch_uid=f"frame-{model.__name__}-s")
            post_delete.connect(forget_all, sender=model, dispatch_uid=f"frame-{model.__name__}-d")
        m2m_changed.connect(
            forget_all, sender=Team.channel_accounts.through, dispatch_uid="frame-team-channels"
        )
